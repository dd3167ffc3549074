/**
 * kittify entry point. `--version` is answered without loading the CLI framework (npm modules
 * cost tens of milliseconds to start); everything else goes through `src/cli/run.ts`.
 */
import { VERSION } from "./src/cli/version.ts";

if (import.meta.main) {
  const args = Deno.args;
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    console.log(`kittify ${VERSION}`);
  } else {
    const { runCli } = await import("./src/cli/run.ts");
    Deno.exit(await runCli(args));
  }
}
