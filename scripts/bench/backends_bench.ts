/**
 * Ingest throughput of `kittify serve` on each store (Deno KV file, PostgreSQL), with one server
 * process and with two sharing the store (issue 14). Real subprocesses with the binary's flags,
 * loopback only; PostgreSQL is a real server started like the tests' (tests/helpers/postgres.ts).
 *
 * - Floor: the same gzip batch bodies POSTed to a no-op Deno endpoint that reads and acknowledges
 *   them, measured in the same run: what the client and the transport cost at best.
 * - One process: gzip batches of 1,000, one batch in flight per client.
 * - Two processes: two clients, each with one batch in flight to its own process, half the
 *   events each (different events, one project each).
 * - Peak RSS of each server process; view read latency (`GET /api/v1/projects/<uuid>/`) of a
 *   project with 100 features, median of 20 reads.
 *
 *   deno run -A scripts/bench/backends_bench.ts [runs=3] [events=40000]
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { cliCommand, runKittify } from "../../tests/helpers/cli.ts";
import { removeTree, tempDir } from "../../tests/helpers/fs.ts";
import { createDatabase, startPostgres } from "../../tests/helpers/postgres.ts";
import { benchEvents, listeningServer, postGzipBatches } from "./fixtures.ts";
import { peakRssMb } from "./rss.ts";

const RUNS = Number(Deno.args[0] ?? 3);
const EVENTS = Number(Deno.args[1] ?? 40_000);
const BATCH = 1000;
const PASSWORD = "bench-password";

/** 100 features, so the view read below is of a 100-feature project. */
function makeEvents(n: number, project: string): Array<Record<string, unknown>> {
  return benchEvents(n, project, 100);
}

function bodies(events: Array<Record<string, unknown>>): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    out.push(new Uint8Array(gzipSync(JSON.stringify({ events: events.slice(i, i + BATCH) }))));
  }
  return out;
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `kittify serve` on the store the arguments name (users must exist). */
async function serve(dir: string, store: string[], env: Record<string, string>): Promise<Server> {
  const child = cliCommand(["serve", "--port", "0", ...store], {
    cwd: dir,
    home: join(dir, "home"),
    env,
  }).spawn();
  const drainErr = child.stderr.pipeTo(new WritableStream());
  const server = await listeningServer(child);
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await drainErr;
    },
  };
}

async function addUser(dir: string, store: string[], env: Record<string, string>) {
  const out = await runKittify(["serve", "user", "add", "bench", "--team", "bench", ...store], {
    cwd: dir,
    home: join(dir, "home"),
    env,
    stdin: PASSWORD,
  });
  if (out.code !== 0) throw new Error(`user add: ${out.stderr}`);
}

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    body: JSON.stringify({ username: "bench", password: PASSWORD }),
  });
  return (await response.json()).access;
}

/** The floor: a no-op endpoint that reads each body and answers. */
async function floorRate(): Promise<number> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.arrayBuffer();
    return Response.json({ results: [] });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const batches = bodies(makeEvents(EVENTS, crypto.randomUUID()));
    const started = performance.now();
    await postGzipBatches(url, "x", batches);
    return EVENTS / ((performance.now() - started) / 1000);
  } finally {
    await server.shutdown();
  }
}

interface Result {
  rate: number;
  rss: number[];
  viewMs: number;
}

async function run(
  processes: 1 | 2,
  store: (dir: string) => Promise<{ args: string[]; env: Record<string, string> }>,
): Promise<Result> {
  const dir = await tempDir("kittify-bench-");
  const { args, env } = await store(dir);
  await addUser(dir, args, env);
  const servers = await Promise.all(
    Array.from({ length: processes }, () => serve(dir, args, env)),
  );
  try {
    const access = await token(servers[0].url);
    const project = crypto.randomUUID();
    const per = EVENTS / processes;
    const work = servers.map((_, i) =>
      bodies(makeEvents(per, i === 0 ? project : crypto.randomUUID()))
    );
    const started = performance.now();
    const stored = await Promise.all(
      servers.map((s, i) => postGzipBatches(s.url, access, work[i])),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = stored.reduce((a, b) => a + b, 0);
    if (total !== per * processes) throw new Error(`only ${total} events stored`);
    const reads: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const response = await fetch(`${servers[0].url}/api/v1/projects/${project}/`, {
        headers: { authorization: `Bearer ${access}` },
      });
      const view = await response.json();
      reads.push(performance.now() - t0);
      if (view.features.length !== 100) throw new Error("the view has not 100 features");
    }
    const rss = await Promise.all(servers.map((s) => peakRssMb(s.pid)));
    return { rate: total / seconds, rss: rss.map((r) => r ?? NaN), viewMs: median(reads) };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await removeTree(dir);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const pg = await startPostgres();
try {
  const kvStore = (dir: string) =>
    Promise.resolve({ args: ["--data", join(dir, "server.kv")], env: {} });
  const pgStore = async () => ({
    args: [],
    env: { DATABASE_URL: await createDatabase(pg.url) },
  });
  const floors: number[] = [];
  const results: Record<string, Result[]> = {
    "kv 1": [],
    "kv 2": [],
    "pg 1": [],
    "pg 2": [],
  };
  for (let i = 0; i < RUNS; i++) {
    floors.push(await floorRate());
    results["kv 1"].push(await run(1, kvStore));
    results["kv 2"].push(await run(2, kvStore));
    results["pg 1"].push(await run(1, pgStore));
    results["pg 2"].push(await run(2, pgStore));
  }
  const floor = median(floors);
  console.log(
    `${EVENTS} events, gzip batches of ${BATCH}, median of ${RUNS} runs ` +
      `(PostgreSQL from ${pg.source})`,
  );
  console.log(`floor (no-op endpoint, same bodies): ${Math.round(floor)} events/s`);
  for (const [name, list] of Object.entries(results)) {
    const rate = median(list.map((r) => r.rate));
    const rss = Math.max(...list.flatMap((r) => r.rss));
    const view = median(list.map((r) => r.viewMs));
    console.log(
      `${name} process(es): ${Math.round(rate)} events/s (${(rate / floor).toFixed(2)}× floor), ` +
        `peak RSS ${rss.toFixed(0)} MB, 100-feature view read ${view.toFixed(1)} ms`,
    );
  }
  const ratio = (b: string) =>
    median(results[`${b} 2`].map((r) => r.rate)) / median(results[`${b} 1`].map((r) => r.rate));
  console.log(`two processes ÷ one: kv ${ratio("kv").toFixed(2)}×, pg ${ratio("pg").toFixed(2)}×`);
} finally {
  await pg.stop();
}
