/**
 * kittify entry point. `--version` is answered without loading anything else; everything else
 * goes through `src/cli/run.ts`, imported with a specifier that is not a literal so that `deno
 * run` does not load the whole CLI before answering `--version` (src/common/load.ts says why;
 * `deno compile` embeds src/ whole).
 */
import { VERSION } from "./src/cli/version.ts";

if (import.meta.main) {
  const args = Deno.args;
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    console.log(`kittify ${VERSION}`);
  } else {
    const run = new URL("./src/cli/run.ts", import.meta.url);
    const { runCli }: typeof import("./src/cli/run.ts") = await import(run.href);
    Deno.exit(await runCli(args));
  }
}
