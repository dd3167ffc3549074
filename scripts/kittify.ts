/**
 * `deno task kittify ...`: runs the CLI from source with exactly the binary's permission flags,
 * in the directory the task was started from.
 */
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${root}deno.json`,
    ...BINARY_FLAGS,
    `${root}main.ts`,
    ...Deno.args,
  ],
  cwd: Deno.env.get("INIT_CWD") ?? Deno.cwd(),
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
