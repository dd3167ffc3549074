/**
 * `deno task kittify ...`: runs the CLI from source with exactly the binary's permission flags,
 * in the directory you ran `deno task` from. `deno task` runs tasks in this checkout and passes
 * that directory in INIT_CWD; it sets INIT_CWD only when it is not set already, so inside an npm
 * script (which sets its own) or another `deno task` the value may point somewhere else. Inside
 * an npm script kittify refuses rather than edit another repository; `deno task install` gives a
 * `kittify` command that always runs where you are.
 */
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Where the user ran the task: INIT_CWD, when it can be trusted to be that. */
function userDirectory(): string {
  const init = Deno.env.get("INIT_CWD");
  if (!init) return Deno.cwd();
  if (Deno.env.get("npm_lifecycle_event") !== undefined || Deno.env.get("npm_command")) {
    console.error(
      "error: running inside an npm script, INIT_CWD may name another folder than yours\n" +
        "hint: `deno task install` gives a `kittify` command that runs where you are",
    );
    Deno.exit(2);
  }
  return init;
}

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${root}/deno.json`,
    ...BINARY_FLAGS,
    `${root}/main.ts`,
    ...Deno.args,
  ],
  cwd: userDirectory(),
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
// Stopping this wrapper stops the CLI too (a `kittify serve` must not outlive it).
const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
for (const signal of signals) {
  Deno.addSignalListener(signal, () => {
    try {
      child.kill(signal);
    } catch {
      // it has exited already
    }
  });
}
Deno.exit((await child.status).code);
