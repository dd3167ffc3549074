/**
 * `deno task install` / `deno task uninstall`: a global `kittify` command from this checkout,
 * installed with Deno's own `deno install --global` and exactly the binary's permission, unstable
 * and V8 flags, so you can `cd` into any repository and run `kittify`. The command runs where you
 * are (no INIT_CWD involved). `DENO_INSTALL_ROOT` chooses where it goes (default ~/.deno).
 */
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const uninstall = Deno.args.includes("--uninstall");

const args = uninstall ? ["uninstall", "--global", "kittify"] : [
  "install",
  "--global",
  "--force",
  "--name",
  "kittify",
  ...BINARY_FLAGS,
  `--config=${root}deno.json`,
  `${root}main.ts`,
];
const { code } = await new Deno.Command(Deno.execPath(), {
  args,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (code === 0 && !uninstall) {
  console.log("\nInstalled: `kittify --help` from any folder (it runs this checkout's code).");
}
Deno.exit(code);
