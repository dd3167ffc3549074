/**
 * Start-up benchmark (issue 13, DESIGN.md §10). Each sample is a whole kittify process run with
 * the binary's permission flags; the baseline is `deno run` of an empty module with the same
 * flags, measured in the same run, and every command is reported as its median and its ratio to
 * that baseline. `implement` needs a planned work package every run, so each sample implements
 * the next of many prepared ones; `tasks list` reads a feature of 120 work packages; `events
 * --json` prints 10,000 stored events (its peak RSS is reported too); `init` runs on a project
 * that has its identity already and `tasks add` adds one more work package each time (no goal of
 * their own in issue 13: shown so that every often-run command is watched). Rounds interleave
 * the commands, so the machine's changing load weighs on all of them alike.
 *
 *   deno run -A scripts/bench/startup.ts [runs=30]
 */
import { join } from "node:path";
import { cliCommand, cliCommandArgs, ROOT } from "../../tests/helpers/cli.ts";
import { sandbox } from "../../tests/helpers/fs.ts";
import { syncClientBox } from "../../tests/helpers/sync_client.ts";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { wpIdOf } from "../../src/work/ids.ts";
import { writeFeature } from "./fixtures.ts";
import { formatTimings, timeInterleaved } from "./process_timing.ts";
import { watchPeakRss } from "./rss.ts";

const runs = Number(Deno.args[0] ?? 30);
// A login shell sets USER; without it (some sandboxes) the node_id falls back to node:os, which
// starts Deno's Node layer on every emitting command: measure what users run.
if (!Deno.env.get("LOGNAME") && !Deno.env.get("USER")) {
  Deno.env.set("USER", "bench");
  console.log("USER was not set: the commands run with USER=bench, as from a login shell");
}
const WARMUP = 3;

/** Goals of issue 13, as ratios to the empty module. */
const GOALS: Record<string, number> = {
  "kittify --version": 1.1,
  "kittify implement WPnn (offline, 1 event)": 2.5,
  "kittify --help": 2,
  "kittify identity --json": 2,
  "kittify tasks list (120 WPs)": 3,
  "kittify events --json (10,000 events)": 8,
};

const sb = await sandbox({ origin: "git@github.com:acme/bench.git", commit: true });
// An offline client (nothing listens on the default server URL's port 1).
const events = await syncClientBox("http://127.0.0.1:1");
try {
  const opts = { cwd: sb.repo, home: sb.home };
  await cliCommand(["init"], opts).output();
  await writeFeature(sb.repo, "001-implement", runs + WARMUP);
  await writeFeature(sb.repo, "002-list", 120);
  await writeFeature(sb.repo, "003-add", 0);
  await events.seed(10_000);
  const empty = join(sb.repo, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const baseline = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", `--config=${ROOT}deno.json`, ...BINARY_FLAGS, empty],
      stdout: "null",
    });
  let next = 0;
  // Interleaved: each round runs the baseline and every command once.
  const timings = await timeInterleaved(
    [
      { name: "baseline: deno run (empty module)", command: baseline },
      { name: "kittify --version", command: () => cliCommand(["--version"], opts) },
      {
        name: "kittify implement WPnn (offline, 1 event)",
        command: () =>
          cliCommand(["implement", wpIdOf(++next), "--feature", "001-implement"], opts),
      },
      { name: "kittify --help", command: () => cliCommand(["--help"], opts) },
      { name: "kittify identity --json", command: () => cliCommand(["identity", "--json"], opts) },
      { name: "kittify init (initialised)", command: () => cliCommand(["init"], opts) },
      {
        name: "kittify tasks add",
        command: () => cliCommand(["tasks", "add", "Bench task", "--feature", "003-add"], opts),
      },
      {
        name: "kittify tasks list (120 WPs)",
        command: () => cliCommand(["tasks", "list", "--feature", "002-list"], opts),
      },
      {
        name: "kittify events --json (10,000 events)",
        command: () => cliCommand(["events", "--json"], { cwd: events.repo, home: events.home }),
        runs: Math.max(5, Math.floor(runs / 3)),
      },
    ],
    runs,
    WARMUP,
  );
  const peak = await peakOfEvents(events.repo, events.home);
  console.log(
    `start-up, medians of ${runs} runs (Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores; goals: ratio to the empty module)`,
  );
  const base = timings[0].medianMs;
  console.log(
    formatTimings(timings).split("\n").map((line, i) => {
      const goal = GOALS[timings[i].name];
      if (goal === undefined) return line;
      const met = timings[i].medianMs / base <= goal ? "met" : "NOT met";
      return `${line}  (goal ≤ ${goal}x: ${met})`;
    }).join("\n"),
  );
  console.log(`events --json peak RSS: ${peak?.toFixed(0) ?? "?"} MB (goal ≤ 100 MB)`);
} finally {
  await events.cleanup();
  await sb.cleanup();
}

async function peakOfEvents(repo: string, home: string): Promise<number | undefined> {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliCommandArgs(["events", "--json"]),
    cwd: repo,
    env: { KITTIFY_HOME: home, NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const peak = watchPeakRss(child, 5);
  await child.status;
  return await peak;
}
