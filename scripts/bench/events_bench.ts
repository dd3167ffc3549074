/**
 * Emit benchmark (DESIGN.md §10: ≥ 5,000 events/s in one process; the Python original does
 * 650 events/s, p50 1.42 ms). Measures, in a real git repository with a real KV file:
 * sequential awaited emits (throughput, p50/p99 latency), concurrent emits sharing commits
 * (group commit), 8 processes emitting into one store at once, and the store size per 10,000
 * events. Each figure is the median of several rounds, each round on a fresh store.
 *
 *   deno run -A --unstable-kv scripts/bench/events_bench.ts [rounds]
 */
import { join } from "node:path";
import { runShutdown } from "../../src/common/lifecycle.ts";
import type { EventInput } from "../../src/events/envelope.ts";
import { Services } from "../../src/cli/services.ts";
import { cliCommand, ROOT, scriptCommand } from "../../tests/helpers/cli.ts";
import { sandbox } from "../../tests/helpers/fs.ts";

const PYTHON_EVENTS_PER_SECOND = 650;
const rounds = Number(Deno.args[0] ?? 5);
const SEQUENTIAL = 5_000;
const CONCURRENT = 10_000;
const WAVE = 1_000;
const PROCESSES = 8;
const PER_PROCESS = 1_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

function event(i: number): EventInput {
  return {
    event_type: "WPStatusChanged",
    aggregate_id: "WP01",
    aggregate_type: "WorkPackage",
    payload: {
      wp_id: "WP01",
      from_lane: i % 2 ? "planned" : "in_progress",
      to_lane: i % 2 ? "in_progress" : "planned",
      actor: "bench",
      feature_slug: "001-bench",
    },
  };
}

const sb = await sandbox({ origin: "git@github.com:acme/bench.git", commit: true });
let homeNo = 0;
let services = new Services();

/** Emits through this process's emitter for the repository; true when stored. */
async function emit(input: EventInput): Promise<boolean> {
  const { emitter } = await services.workspace(sb.repo);
  return (await emitter.emit(input)).status === "stored";
}

/** Ends the current "process" (its services and store), as the CLI does after a command. */
async function endProcess(): Promise<void> {
  await services.close();
  await runShutdown();
  services = new Services();
}

/** Points the in-process emitter at a fresh, empty store. */
async function freshHome(): Promise<string> {
  await endProcess();
  const home = join(sb.home, `round-${homeNo++}`);
  Deno.env.set("KITTIFY_HOME", home);
  await emit(event(0)); // opens the store, resolves identity, warms caches
  return home;
}

async function sequential(): Promise<{ perSecond: number; latencies: number[] }> {
  await freshHome();
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    if (!await emit(event(i))) throw new Error("emit failed");
    latencies.push(performance.now() - t);
  }
  return { perSecond: SEQUENTIAL / ((performance.now() - start) / 1000), latencies };
}

async function concurrent(): Promise<number> {
  await freshHome();
  const start = performance.now();
  for (let done = 0; done < CONCURRENT; done += WAVE) {
    const wave = await Promise.all(
      Array.from({ length: WAVE }, (_, i) => emit(event(done + i))),
    );
    if (!wave.every(Boolean)) throw new Error("emit failed");
  }
  return CONCURRENT / ((performance.now() - start) / 1000);
}

async function storeSizePer10k(): Promise<number> {
  const home = await freshHome();
  for (let done = 0; done < 10_000; done += WAVE) {
    await Promise.all(Array.from({ length: WAVE }, (_, i) => emit(event(done + i))));
  }
  await endProcess();
  const size = (name: string) => Deno.stat(join(home, name)).then((s) => s.size, () => 0);
  return (await size("kittify.kv")) + (await size("kittify.kv-wal"));
}

/** 8 worker processes × 1,000 sequential emits into one fresh store; wall time incl. start-up. */
async function multiProcess(): Promise<number> {
  const home = join(sb.home, `procs-${homeNo++}`);
  const worker = join(ROOT, "tests", "sync", "fixtures", "emit_worker.ts");
  const start = performance.now();
  const outs = await Promise.all(
    Array.from(
      { length: PROCESSES },
      () => scriptCommand(worker, [`${PER_PROCESS}`], { cwd: sb.repo, home }).output(),
    ),
  );
  const elapsed = (performance.now() - start) / 1000;
  for (const out of outs) {
    if (!out.success || !new TextDecoder().decode(out.stdout).endsWith(`${PER_PROCESS}\n`)) {
      throw new Error(`worker failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  }
  return (PROCESSES * PER_PROCESS) / elapsed;
}

try {
  await cliCommand(["init"], { cwd: sb.repo, home: sb.home }).output();
  const seq: number[] = [];
  const latencies: number[] = [];
  const conc: number[] = [];
  const procs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = await sequential();
    seq.push(s.perSecond);
    latencies.push(...s.latencies);
    conc.push(await concurrent());
  }
  const size = await storeSizePer10k();
  for (let r = 0; r < Math.min(rounds, 3); r++) procs.push(await multiProcess());
  latencies.sort((a, b) => a - b);
  const rate = (x: number) =>
    `${Math.round(x).toLocaleString("en-US").padStart(7)} events/s  ` +
    `${(x / PYTHON_EVENTS_PER_SECOND).toFixed(1)}x Python (650/s)`;
  console.log(
    `emit benchmark: ${rounds} rounds, medians (Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores)`,
  );
  console.log(`sequential awaited emits (${SEQUENTIAL}/round)    ${rate(median(seq))}`);
  console.log(
    `  latency per emit                      p50 ${percentile(latencies, 0.5).toFixed(3)} ms  ` +
      `p99 ${percentile(latencies, 0.99).toFixed(3)} ms  (Python p50 1.42 ms)`,
  );
  console.log(`concurrent emits, group commit (${WAVE}/wave)  ${rate(median(conc))}`);
  console.log(
    `${PROCESSES} processes x ${PER_PROCESS} emits, one store     ${rate(median(procs))}` +
      "  (wall time incl. process start)",
  );
  console.log(`KV file size per 10,000 events          ${(size / 1024 / 1024).toFixed(2)} MiB`);
} finally {
  await endProcess();
  await sb.cleanup();
}
