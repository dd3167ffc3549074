/**
 * Sync server ingestion benchmark (DESIGN.md §10, issue 5): a real `kittify serve` subprocess
 * (the binary's permission flags, an embedded KV file), loopback only.
 *
 * - HTTP: 100,000 events in gzip batches of 1,000, one batch in flight (as the client drains).
 *   Batches are encoded and compressed before the clock starts: this measures the server.
 * - WebSocket: 100,000 events as frames with at most 1,000 unacknowledged, until the last ack.
 *
 * Each run uses a fresh store. Reports the median events/s over the runs, the ratio against the
 * Python client's drain against a no-op stub (17,600 events/s), and the server's peak RSS.
 *
 *   deno run -A scripts/bench/server_bench.ts [runs=3] [events=100000]
 *
 * KITTIFY_BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each server process there;
 * KITTIFY_BENCH_V8_FLAGS=<flags> runs the server with DENO_V8_FLAGS=<flags> (e.g.
 * --max-semi-space-size=2, which keeps the young generation small and the RSS low);
 * KITTIFY_BENCH_ONLY=http|ws runs one half.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cliCommand } from "../../tests/helpers/cli.ts";
import { removeTree, tempDir } from "../../tests/helpers/fs.ts";
import { benchEvents as makeEvents, listeningUrl, postGzipBatches } from "./fixtures.ts";
import { peakRssMb } from "./rss.ts";

const RUNS = Number(Deno.args[0] ?? 3);
const EVENTS = Number(Deno.args[1] ?? 100_000);
const BATCH = 1000;
const WS_WINDOW = 1000;
const PYTHON_DRAIN = 17_600;
const PASSWORD = "bench-password";

interface Server {
  url: string;
  pid: number;
  /** Sum of the batch requests' durations as the server logged them. */
  serverMs(): number;
  stop(): Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const home = join(dir, "home");
  const data = join(dir, "server.kv");
  const add = await cliCommand(
    ["serve", "user", "add", "bench", "--team", "bench", "--data", data],
    {
      cwd: dir,
      home,
      stdin: PASSWORD,
    },
  ).spawn();
  const writer = add.stdin.getWriter();
  await writer.write(new TextEncoder().encode(PASSWORD));
  await writer.close();
  if (!(await add.output()).success) throw new Error("user add failed");
  const profile = Deno.env.get("KITTIFY_BENCH_CPU_PROFILE");
  const v8Flags = Deno.env.get("KITTIFY_BENCH_V8_FLAGS");
  const child = cliCommand(["serve", "--port", "0", "--data", data], {
    cwd: dir,
    home,
    // The binary's own V8 flags apply (src/cli/permissions.ts); DENO_V8_FLAGS adds to them.
    env: v8Flags ? { DENO_V8_FLAGS: v8Flags } : {},
    extraFlags: profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [],
  }).spawn();
  // The request log: the server's own time per batch request, summed.
  let serverMs = 0;
  const log = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(text) {
        for (const m of text.matchAll(/POST \/api\/v1\/events\/batch\/ 200 ([\d.]+)ms/g)) {
          serverMs += Number(m[1]);
        }
      },
    }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const url = await listeningUrl(reader);
  return {
    url,
    pid: child.pid,
    serverMs: () => serverMs,
    stop: async () => {
      child.kill("SIGTERM");
      while (!(await reader.read()).done) { /* drain */ }
      await child.status;
      await log;
    },
  };
}

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    body: JSON.stringify({ username: "bench", password: PASSWORD }),
  });
  return (await response.json()).access;
}

interface RunResult {
  /** Events per second, wall clock at the client. */
  rate: number;
  /** Events per second of the server's own request time (HTTP only). */
  serverRate?: number;
  /** Peak RSS of the server process, MB. */
  rss?: number;
}

async function httpRun(): Promise<RunResult> {
  const dir = await tempDir("kittify-bench-");
  const server = await startServer(dir);
  try {
    const access = await token(server.url);
    const events = makeEvents(EVENTS, crypto.randomUUID());
    const bodies: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < events.length; i += BATCH) {
      bodies.push(new Uint8Array(gzipSync(JSON.stringify({ events: events.slice(i, i + BATCH) }))));
    }
    const started = performance.now();
    const stored = await postGzipBatches(server.url, access, bodies);
    const seconds = (performance.now() - started) / 1000;
    if (stored !== EVENTS) throw new Error(`only ${stored} of ${EVENTS} events stored`);
    return {
      rate: EVENTS / seconds,
      serverRate: EVENTS / (server.serverMs() / 1000),
      rss: await peakRssMb(server.pid),
    };
  } finally {
    await server.stop();
    await removeTree(dir);
  }
}

async function wsRun(): Promise<RunResult> {
  const dir = await tempDir("kittify-bench-");
  const server = await startServer(dir);
  try {
    const access = await token(server.url);
    const wsToken = (await (await fetch(`${server.url}/api/v1/ws-token/`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
    })).json()).ws_token;
    const frames = makeEvents(EVENTS, crypto.randomUUID()).map((e) => JSON.stringify(e));
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/events/`, {
      headers: { authorization: `Bearer ${wsToken}` },
    });
    const done = Promise.withResolvers<number>();
    let sent = 0;
    let acked = 0;
    let success = 0;
    let started = 0;
    const pump = () => {
      while (sent < frames.length && sent - acked < WS_WINDOW) socket.send(frames[sent++]);
    };
    socket.onmessage = (e) => {
      const frame = JSON.parse(e.data);
      if (frame.type === "snapshot") {
        started = performance.now();
        pump();
      } else if (frame.type === "ack") {
        acked++;
        if (frame.status === "success") success++;
        if (acked === frames.length) done.resolve(performance.now() - started);
        else pump();
      }
    };
    socket.onerror = () => done.reject(new Error("websocket error"));
    const ms = await done.promise;
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
    if (success !== EVENTS) throw new Error(`only ${success} of ${EVENTS} events acked success`);
    return { rate: EVENTS / (ms / 1000), rss: await peakRssMb(server.pid) };
  } finally {
    await server.stop();
    await removeTree(dir);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function report(name: string, runs: RunResult[]): void {
  const rate = median(runs.map((r) => r.rate));
  const rss = Math.max(...runs.map((r) => r.rss ?? 0));
  const serverRates = runs.flatMap((r) => r.serverRate === undefined ? [] : [r.serverRate]);
  const server = serverRates.length
    ? `; server time alone: ${Math.round(median(serverRates)).toLocaleString("en-US")} events/s`
    : "";
  console.log(
    `${name.padEnd(30)} median ${Math.round(rate).toLocaleString("en-US")} events/s ` +
      `(runs: ${runs.map((r) => Math.round(r.rate)).join(", ")}); ` +
      `${(rate / PYTHON_DRAIN).toFixed(2)}x the Python drain's 17,600/s${server}; ` +
      `server peak RSS ${rss ? `${rss.toFixed(0)} MB` : "n/a"}`,
  );
}

console.log(
  `kittify serve ingestion: ${EVENTS.toLocaleString("en-US")} events, ${RUNS} runs each` +
    (Deno.env.get("KITTIFY_BENCH_V8_FLAGS")
      ? `, DENO_V8_FLAGS=${Deno.env.get("KITTIFY_BENCH_V8_FLAGS")} `
      : " ") +
    `(Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores); goal ≥ 40,000 events/s, RSS ≤ 150 MB`,
);
const only = Deno.env.get("KITTIFY_BENCH_ONLY");
if (only !== "ws") {
  const http = [];
  for (let i = 0; i < RUNS; i++) http.push(await httpRun());
  report("HTTP batches of 1,000 (gzip)", http);
}
if (only !== "http") {
  const ws = [];
  for (let i = 0; i < RUNS; i++) ws.push(await wsRun());
  report("WebSocket frames with acks", ws);
}
