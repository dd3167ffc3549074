/**
 * Work-command benchmark (DESIGN.md §10: `implement` offline with one event ≤ 60 ms; the Python
 * original takes 690 ms for import + one emit). Each sample is a whole kittify process run with
 * the binary's permission flags, offline (no server configured). `implement` needs a planned
 * work package every run, so each sample implements the next of many prepared ones; the
 * `tasks list` sample reads a feature of 120 work packages.
 *
 *   deno run -A scripts/bench/work_bench.ts [runs]
 */
import { join } from "node:path";
import { cliCommand } from "../../tests/helpers/cli.ts";
import { sandbox } from "../../tests/helpers/fs.ts";
import { wpIdOf } from "../../src/work/ids.ts";
import { writeFeature } from "./fixtures.ts";
import { formatTimings, timeProcess } from "./process_timing.ts";

const runs = Number(Deno.args[0] ?? 25);
const WARMUP = 3;
const PYTHON_IMPLEMENT_MS = 690;

const sb = await sandbox({ origin: "git@github.com:acme/bench.git", commit: true });
try {
  const opts = { cwd: sb.repo, home: sb.home };
  await cliCommand(["init"], opts).output();
  await writeFeature(sb.repo, "001-implement", 99);
  await writeFeature(sb.repo, "002-list", 120);
  const empty = join(sb.repo, "empty.ts");
  await Deno.writeTextFile(empty, "");
  let next = 0;
  const timings = [
    await timeProcess(
      "baseline: deno run (empty module)",
      () => new Deno.Command(Deno.execPath(), { args: ["run", "--quiet", empty], stdout: "null" }),
      runs,
      WARMUP,
    ),
    await timeProcess("kittify --help (CLI start-up)", () => cliCommand(["--help"], opts), runs),
    await timeProcess(
      "kittify implement WPnn (1 event)",
      () => cliCommand(["implement", wpIdOf(++next), "--feature", "001-implement"], opts),
      Math.min(runs, 99 - WARMUP),
      WARMUP,
    ),
    await timeProcess(
      "kittify tasks list (120 WPs)",
      () => cliCommand(["tasks", "list", "--feature", "002-list"], opts),
      runs,
      WARMUP,
    ),
    await timeProcess(
      "kittify tasks list --json (120)",
      () => cliCommand(["tasks", "list", "--feature", "002-list", "--json"], opts),
      runs,
      WARMUP,
    ),
  ];
  const events = await cliCommand(["events", "--json"], opts).output();
  const stored = JSON.parse(new TextDecoder().decode(events.stdout)).length;
  console.log(
    `work commands, ${runs} runs each (Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores); events stored by the implement runs: ${stored}`,
  );
  console.log(
    formatTimings(timings, {
      label: `Python implement (${PYTHON_IMPLEMENT_MS} ms)`,
      ms: PYTHON_IMPLEMENT_MS,
    }),
  );
} finally {
  await sb.cleanup();
}
