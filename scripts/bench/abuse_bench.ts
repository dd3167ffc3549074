/**
 * The reference server under abuse (issue 11 §6–§8): a real `kittify serve` (the binary's flags, a
 * fresh embedded store per scenario), loopback only. Each scenario reports the server's peak RSS
 * and how a well-behaved client of another team fares meanwhile:
 *
 * 1. batch flood: 8 clients of team A post maximum-size batches (1,000 events, ~16 MB decoded)
 *    back to back for a while; team B posts a 1-event batch every 50 ms and `/healthz` is asked
 *    every 50 ms. Latency p50/p99/max of both, answers by status, peak RSS.
 * 2. WebSocket flood: 8 sockets each send one 60 MiB text message at once; peak RSS, and the
 *    1-event batch latency of team B meanwhile.
 * 3. project listing: 30,000 projects; `GET /api/v1/projects/` time and size, and `/healthz`
 *    latency while it runs.
 *
 * The baseline in the same run is a bare request loop: `/healthz` on the idle server.
 *
 *   deno run -A scripts/bench/abuse_bench.ts [floodSeconds=8]
 *
 * KITTIFY_BENCH_ROOT=/path/to/another/checkout runs that checkout's server (before/after figures);
 * KITTIFY_BENCH_ONLY=batch|ws|list runs one scenario; KITTIFY_BENCH_CPU_PROFILE=<dir> writes a V8
 * CPU profile of each server there; KITTIFY_BENCH_STDERR=1 shows the servers' logs;
 * KITTIFY_BENCH_V8_FLAGS=<flags> adds V8 flags to the server (DENO_V8_FLAGS).
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { formatTimestamp } from "../../src/events/timestamp.ts";
import { newEventId } from "../../src/events/ulid.ts";
import { removeTree, tempDir } from "../../tests/helpers/fs.ts";
import { listeningServer } from "./fixtures.ts";
import { peakRssMb } from "./rss.ts";

const FLOOD_SECONDS = Number(Deno.args[0] === "--flood" ? 0 : Deno.args[0] ?? 8);
const ROOT = Deno.env.get("KITTIFY_BENCH_ROOT") ??
  new URL("../../", import.meta.url).pathname;
const ONLY = Deno.env.get("KITTIFY_BENCH_ONLY");
const PROFILE = Deno.env.get("KITTIFY_BENCH_CPU_PROFILE");
const V8_FLAGS = Deno.env.get("KITTIFY_BENCH_V8_FLAGS");
/** Characters of padding per flood event (KITTIFY_BENCH_EVENT_PADDING; 31,000 made 32 MB batches). */
const PADDING = Number(Deno.env.get("KITTIFY_BENCH_EVENT_PADDING") ?? 15_500);
const PASSWORD = "bench-password";

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `deno run` of ROOT's kittify (the checkout under test) with the binary's flags. */
function runArgs(denoFlags: string[], args: string[]): string[] {
  return [
    "run",
    "--quiet",
    `--config=${join(ROOT, "deno.json")}`,
    ...BINARY_FLAGS,
    ...denoFlags,
    join(ROOT, "main.ts"),
    ...args,
  ];
}

async function kittify(args: string[], dir: string, stdin?: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: runArgs([], args),
    cwd: dir,
    env: { KITTIFY_HOME: join(dir, "home"), NO_COLOR: "1" },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (stdin) await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`kittify ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function startServer(dir: string): Promise<Server> {
  const data = join(dir, "server.kv");
  for (const [user, team] of [["flood", "team-a"], ["probe", "team-b"]]) {
    await kittify(["serve", "user", "add", user, "--team", team, "--data", data], dir, PASSWORD);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: runArgs(
      PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : [],
      ["serve", "--port", "0", "--data", data],
    ),
    cwd: dir,
    env: {
      KITTIFY_HOME: join(dir, "home"),
      NO_COLOR: "1",
      ...(V8_FLAGS ? { DENO_V8_FLAGS: V8_FLAGS } : {}),
    },
    stdout: "piped",
    stderr: Deno.env.get("KITTIFY_BENCH_STDERR") ? "inherit" : "null",
  }).spawn();
  return await listeningServer(child);
}

async function access(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return (await response.json()).access;
}

function event(project: string, team: string, lamport: number, padding = 0) {
  return {
    event_id: newEventId(),
    event_type: "WPStatusChanged",
    aggregate_id: "WP01",
    aggregate_type: "WorkPackage",
    payload: {
      wp_id: "WP01",
      from_lane: "planned",
      to_lane: "in_progress",
      actor: padding > 0 ? "x".repeat(padding) : "bench",
      feature_slug: "001-bench",
    },
    node_id: "a1b2c3d4e5f6",
    lamport_clock: lamport,
    causation_id: null,
    timestamp: formatTimestamp(),
    team_slug: team,
    project_uuid: project,
    project_slug: "bench",
    git_branch: "main",
    head_commit_sha: null,
    repo_slug: "acme/bench",
  };
}

function gzipBatch(events: unknown[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(new TextEncoder().encode(JSON.stringify({ events }))));
}

async function post(url: string, token: string, body: Uint8Array<ArrayBuffer>): Promise<number> {
  const response = await fetch(`${url}/api/v1/events/batch/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "content-encoding": "gzip",
    },
    body,
  });
  await response.body?.cancel();
  return response.status;
}

const project = (i: number) => `0b9c7e7a-3f0a-4d55-8e7b-${String(i).padStart(12, "0")}`;

function quantiles(xs: number[]): string {
  if (xs.length === 0) return "no samples";
  const sorted = [...xs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `p50 ${q(0.5).toFixed(1)} ms  p99 ${q(0.99).toFixed(1)} ms  max ${
    sorted.at(-1)!.toFixed(1)
  } ms  (n=${xs.length})`;
}

/** Runs `probe` every `everyMs` until `until` resolves; returns the latencies and statuses. */
async function probeUntil(
  until: Promise<unknown>,
  everyMs: number,
  probe: () => Promise<number>,
): Promise<{ ms: number[]; statuses: Map<number, number> }> {
  let done = false;
  until.finally(() => (done = true));
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  while (!done) {
    const start = performance.now();
    let status = 0;
    try {
      status = await probe();
    } catch {
      status = -1;
    }
    ms.push(performance.now() - start);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return { ms, statuses };
}

const healthz = (url: string) => async () => {
  const response = await fetch(`${url}/healthz`);
  await response.body?.cancel();
  return response.status;
};

async function baseline(url: string): Promise<string> {
  const stop = new Promise((r) => setTimeout(r, 1_000));
  return quantiles((await probeUntil(stop, 10, healthz(url))).ms);
}

async function withServer(name: string, run: (server: Server) => Promise<void>) {
  const dir = await tempDir("kittify-abuse-");
  const server = await startServer(dir);
  try {
    console.log(`\n${name}`);
    console.log(`  baseline: /healthz on the idle server   ${await baseline(server.url)}`);
    await run(server);
    console.log(`  server peak RSS ${(await peakRssMb(server.pid))?.toFixed(0)} MB`);
  } finally {
    await server.stop();
    await removeTree(dir);
  }
}

function statusLine(statuses: Map<number, number>): string {
  return [...statuses].map(([status, n]) => `${status}×${n}`).join(" ");
}

/**
 * The flood runs in a process of its own (this script with `--flood`), so that the probes below
 * measure the server, not a client process busy with the flood.
 */
async function floodProcess(url: string, token: string, seconds: number): Promise<void> {
  // A maximum-size batch: 1,000 events of ~16 KB, ~16 MB decoded, just under the 16 MiB limit
  // (the padding compresses to almost nothing).
  const big = () =>
    gzipBatch(Array.from({ length: 1000 }, (_, i) => event(project(1), "team-a", i, PADDING)));
  const bodies = Array.from({ length: Number(Deno.env.get("KITTIFY_BENCH_FLOODERS") ?? 8) }, big);
  const end = Date.now() + seconds * 1000;
  const statuses = new Map<number, number>();
  await Promise.all(bodies.map(async (body) => {
    while (Date.now() < end) {
      let status = -1;
      try {
        status = await post(url, token, body);
      } catch { /* connection refused or reset */ }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
  }));
  console.log(JSON.stringify([...statuses]));
}

async function batchFlood(server: Server) {
  const flood = await access(server.url, "flood");
  const probe = await access(server.url, "probe");
  const small = () => gzipBatch([event(project(2), "team-b", 1)]);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--flood",
      server.url,
      String(FLOOD_SECONDS),
    ],
    env: { KITTIFY_BENCH_FLOOD_TOKEN: flood },
    stdout: "piped",
  }).spawn();
  const flooding = child.output();
  // The flood process needs a moment to build its bodies: probe once it is under way.
  await new Promise((r) => setTimeout(r, 1_500));
  const [other, health] = await Promise.all([
    probeUntil(flooding, 50, () => post(server.url, probe, small())),
    probeUntil(flooding, 50, healthz(server.url)),
  ]);
  const floodStatuses = new Map<number, number>(
    JSON.parse(new TextDecoder().decode((await flooding).stdout)),
  );
  console.log(`  flood batches (8 clients, ${FLOOD_SECONDS} s): ${statusLine(floodStatuses)}`);
  console.log(`  team B 1-event batch   ${quantiles(other.ms)}  ${statusLine(other.statuses)}`);
  console.log(`  /healthz               ${quantiles(health.ms)}`);
}

async function wsFlood(server: Server) {
  const flood = await access(server.url, "flood");
  const probe = await access(server.url, "probe");
  const message = "x".repeat(60 * 1024 * 1024);
  const sent = Promise.all(Array.from({ length: 8 }, async () => {
    const response = await fetch(`${server.url}/api/v1/ws-token/`, {
      method: "POST",
      headers: { authorization: `Bearer ${flood}` },
    });
    const { ws_token } = await response.json();
    const socket = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws/v1/events/`, {
      headers: { authorization: `Bearer ${ws_token}` },
    });
    const opened = await new Promise<boolean>((resolve) => {
      socket.onopen = () => resolve(true);
      socket.onerror = () => resolve(false);
    });
    if (!opened) return "refused";
    const closed = new Promise<number>((resolve) => (socket.onclose = (e) => resolve(e.code)));
    socket.send(message);
    const code = await Promise.race([
      closed,
      new Promise<number>((r) => setTimeout(() => r(0), 30_000)),
    ]);
    return String(code);
  }));
  const other = await probeUntil(
    sent,
    50,
    () => post(server.url, probe, gzipBatch([event(project(2), "team-b", 1)])),
  );
  const codes = await sent;
  console.log(`  8 sockets of one user, a 60 MiB message each: ${codes.join(" ")}`);
  console.log(`  team B 1-event batch   ${quantiles(other.ms)}  ${statusLine(other.statuses)}`);
}

async function listing(server: Server) {
  const flood = await access(server.url, "flood");
  const started = performance.now();
  for (let b = 0; b < 30; b++) {
    const body = gzipBatch(
      Array.from({ length: 1000 }, (_, i) => event(project(b * 1000 + i), "team-a", 1)),
    );
    const status = await post(server.url, flood, body);
    if (status !== 200) throw new Error(`seeding: ${status}`);
  }
  console.log(`  seeded 30,000 projects in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const times: number[] = [];
  let bytes = 0;
  const listed = (async () => {
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      const response = await fetch(`${server.url}/api/v1/projects/`, {
        headers: { authorization: `Bearer ${flood}` },
      });
      bytes = (await response.arrayBuffer()).byteLength;
      times.push(performance.now() - start);
    }
  })();
  const health = await probeUntil(listed, 10, healthz(server.url));
  console.log(`  GET /api/v1/projects/  ${quantiles(times)}  ${(bytes / 1e6).toFixed(2)} MB`);
  console.log(`  /healthz meanwhile     ${quantiles(health.ms)}`);
}

if (Deno.args[0] === "--flood") {
  await floodProcess(
    Deno.args[1],
    Deno.env.get("KITTIFY_BENCH_FLOOD_TOKEN")!,
    Number(Deno.args[2]),
  );
  Deno.exit(0);
}
console.log(
  `abuse benchmark: ${ROOT} (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
);
if (!ONLY || ONLY === "batch") await withServer("1. batch flood", batchFlood);
if (!ONLY || ONLY === "ws") await withServer("2. WebSocket flood", wsFlood);
if (!ONLY || ONLY === "list") await withServer("3. project listing", listing);
