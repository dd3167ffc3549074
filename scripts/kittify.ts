/**
 * `deno task kittify ...`: runs the CLI from source with exactly the binary's permission flags,
 * in the directory you ran `deno task` from. `deno task` runs tasks in this checkout and passes
 * that directory in INIT_CWD, but only when INIT_CWD is not set already: inside an npm script or
 * another `deno task` the value may point somewhere else. So the directory is read from the parent
 * process where the system allows it, and otherwise kittify refuses inside an npm script rather
 * than edit another repository; `deno task install` gives a `kittify` command that always runs
 * where you are.
 */
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Where the user ran the task. On Linux that is the working directory of `deno task` itself (our
 * parent), whatever the environment holds. Elsewhere it is INIT_CWD: set by `deno task`, or by
 * `npx` to the folder it ran in, but inside an npm script it names the folder npm started in, not
 * where the script went, so there kittify refuses.
 */
async function userDirectory(): Promise<string> {
  const parent = await parentDirectory();
  if (parent) return parent;
  const init = Deno.env.get("INIT_CWD");
  if (!init) return Deno.cwd();
  const npmEvent = Deno.env.get("npm_lifecycle_event");
  if (npmEvent !== undefined && npmEvent !== "npx") {
    console.error(
      "error: running inside an npm script, INIT_CWD may name another folder than yours\n" +
        "hint: `deno task install` gives a `kittify` command that runs where you are",
    );
    Deno.exit(2);
  }
  return init;
}

/** The parent's working directory, read from /proc (Linux only; reading it needs no -A this way). */
async function parentDirectory(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  try {
    const out = await new Deno.Command("readlink", {
      args: [`/proc/${Deno.ppid}/cwd`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const dir = new TextDecoder().decode(out.stdout).replace(/\n$/, "");
    return out.success && dir.startsWith("/") ? dir : undefined;
  } catch {
    return undefined;
  }
}

// `deno task kittify -- tasks list`, as npm users type it: deno passes the `--` on; it is not
// kittify's (the CLI itself takes a `--` only after a command, as an end of options).
const args = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${root}/deno.json`,
    ...BINARY_FLAGS,
    `${root}/main.ts`,
    ...args,
  ],
  cwd: await userDirectory(),
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
