/**
 * Start-up benchmark (DESIGN.md §10: `--version` ≤ 25 ms). Each command is a whole kittify
 * process run with the binary's permission flags; the baseline is `deno run` of an empty module
 * measured in the same run, the reference is the Python original's `--version` (579 ms).
 *
 *   deno run -A scripts/bench/startup.ts [runs]
 */
import { join } from "node:path";
import { cliCommand } from "../../tests/helpers/cli.ts";
import { sandbox } from "../../tests/helpers/fs.ts";
import { formatTimings, timeProcess } from "./process_timing.ts";

const runs = Number(Deno.args[0] ?? 25);
const sb = await sandbox({ origin: "git@github.com:acme/bench.git" });
try {
  const empty = join(sb.repo, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const opts = { cwd: sb.repo, home: sb.home };
  await cliCommand(["init"], opts).output();
  const timings = [
    await timeProcess(
      "baseline: deno run (empty module)",
      () => new Deno.Command(Deno.execPath(), { args: ["run", "--quiet", empty], stdout: "null" }),
      runs,
    ),
    await timeProcess("kittify --version", () => cliCommand(["--version"], opts), runs),
    await timeProcess("kittify --help", () => cliCommand(["--help"], opts), runs),
    await timeProcess(
      "kittify identity (complete config)",
      () => cliCommand(["identity"], opts),
      runs,
    ),
    await timeProcess(
      "kittify identity --json",
      () => cliCommand(["identity", "--json"], opts),
      runs,
    ),
  ];
  console.log(
    `start-up, ${runs} runs each (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
  );
  console.log(formatTimings(timings, { label: "Python --version (579 ms)", ms: 579 }));
} finally {
  await sb.cleanup();
}
