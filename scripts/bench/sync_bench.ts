/**
 * Sync client benchmark (DESIGN.md §10, issue 9 §7). Every figure is a whole kittify process with
 * the binary's permission flags, on loopback, medians over rounds, each against a baseline
 * measured in the same run:
 *
 * 1. `sync now` of 10,000 queued events, against a stub server that accepts every event at once
 *    (the client's own cost; the baseline is an empty `deno run` module) and against a real
 *    `kittify serve` (the whole loop). Python: 1.26 s.
 * 2. Draining 100,000 events to a real `kittify serve`: events/s and the client's peak RSS.
 * 3. `implement` (one event) offline and logged in with the server up (delivery at exit, straight
 *    to the server; the two alternate round by round), and logged in with a black-holed server:
 *    exit time and the time delivery adds.
 *
 *   deno run -A scripts/bench/sync_bench.ts [rounds=5]
 */
import { join } from "node:path";
import { cliCommand } from "../../tests/helpers/cli.ts";
import { FaultProxy } from "../../tests/helpers/fault_proxy.ts";
import { startServe } from "../../tests/helpers/serve.ts";
import { type SyncClientBox, syncClientBox } from "../../tests/helpers/sync_client.ts";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { watchPeakRss } from "./rss.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);
const PYTHON_SYNC_NOW_10K_MS = 1_260;
const PYTHON_DRAIN_PER_S = 17_600;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

async function timed(command: Deno.Command): Promise<number> {
  const start = performance.now();
  const out = await command.output();
  const elapsed = performance.now() - start;
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return elapsed;
}

/** `deno run` of an empty module with the binary's flags: the floor of any kittify process. */
async function baseline(dir: string): Promise<number> {
  const empty = join(dir, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const samples = [];
  for (let i = 0; i < ROUNDS + 2; i++) {
    samples.push(
      await timed(
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--quiet", ...BINARY_FLAGS, empty],
          stdout: "null",
          stderr: "piped",
        }),
      ),
    );
  }
  return median(samples.slice(2));
}

/** A server that accepts every event of every batch at once (no storage, no validation). */
function stubServer(): { url: string; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/api/v1/token/" || path === "/api/v1/token/refresh/") {
      return Response.json({ access: "a.b.c", refresh: "d.e.f", team_slug: "bench" });
    }
    const stream = req.body!.pipeThrough(new DecompressionStream("gzip"));
    const { events } = await new Response(stream).json() as { events: Array<{ event_id: string }> };
    return Response.json({
      results: events.map((e) => ({ event_id: e.event_id, status: "success" })),
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

async function syncNowRounds(client: SyncClientBox, events: number): Promise<number[]> {
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    await client.seed(events);
    samples.push(await timed(cliCommand(["sync", "now"], { cwd: client.repo, home: client.home })));
  }
  return samples;
}

async function drain(client: SyncClientBox, events: number) {
  for (let done = 0; done < events; done += 10_000) await client.seed(10_000);
  const child = cliCommand(["sync", "now"], { cwd: client.repo, home: client.home }).spawn();
  const start = performance.now();
  const [rss, out] = await Promise.all([watchPeakRss(child), child.output()]);
  const elapsed = performance.now() - start;
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return { perSecond: events / (elapsed / 1000), rss };
}

/** Writes `runs` planned work packages into a feature of its own. */
async function planWorkPackages(client: SyncClientBox, feature: string, runs: number) {
  const dir = join(client.repo, "kitty-specs", feature, "tasks");
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 1; i <= runs; i++) {
    const id = `WP${String(i).padStart(2, "0")}`;
    await Deno.writeTextFile(
      join(dir, `${id}-task.md`),
      `---\nwork_package_id: ${id}\ntitle: Task ${i}\nlane: planned\ndependencies: []\n---\n`,
    );
  }
}

const implement = (client: SyncClientBox, feature: string, i: number) =>
  timed(
    cliCommand(["implement", `WP${String(i).padStart(2, "0")}`, "--feature", feature], {
      cwd: client.repo,
      home: client.home,
    }),
  );

/** Times `implement` on fresh work packages (one per run) of a feature of its own. */
async function implementRounds(client: SyncClientBox, feature: string, runs: number) {
  await planWorkPackages(client, feature, runs);
  const samples = [];
  for (let i = 1; i <= runs; i++) samples.push(await implement(client, feature, i));
  return samples.slice(2);
}

/** `implement` with each of two clients in turn, round after round: both clients' samples. */
async function implementPairs(a: SyncClientBox, b: SyncClientBox, runs: number) {
  await planWorkPackages(a, "002-pairs", runs);
  await planWorkPackages(b, "002-pairs", runs);
  const samples: [number[], number[]] = [[], []];
  for (let i = 1; i <= runs; i++) {
    samples[0].push(await implement(a, "002-pairs", i));
    samples[1].push(await implement(b, "002-pairs", i));
  }
  return samples.map((s) => s.slice(2));
}

const stub = stubServer();
const server = await startServe([{ username: "alice", team: "acme" }]);
const proxy = FaultProxy.start(server.url);
const stubClient = await syncClientBox(stub.url);
const realClient = await syncClientBox(server.url);
const upClient = await syncClientBox(server.url);
const exitClient = await syncClientBox(proxy.url);
try {
  const base = await baseline(realClient.repo);
  await stubClient.login("alice");
  await realClient.login("alice");
  const toStub = median(await syncNowRounds(stubClient, 10_000));
  const toServe = median(await syncNowRounds(realClient, 10_000));
  const drained = await drain(realClient, 100_000);

  // Offline and up alternate, so both see the same machine; up talks to the server directly
  // (the fault proxy would add a hop of its own), the black hole is the proxy's.
  await upClient.login("alice");
  await upClient.run(["sync", "now"]);
  const [offline, up] = (await implementPairs(exitClient, upClient, ROUNDS + 2)).map(median);
  await exitClient.login("alice");
  await exitClient.run(["sync", "now"]);
  proxy.rule = (req) =>
    req.path.endsWith("/events/batch/") ? { kind: "blackhole" } : { kind: "pass" };
  const holed = median(await implementRounds(exitClient, "003-holed", Math.min(ROUNDS, 5) + 2));

  console.log(
    `sync client benchmark: medians of ${ROUNDS} rounds (Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores)`,
  );
  console.log(`baseline: deno run of an empty module        ${ms(base)}`);
  const vsPython = (x: number) => `${(PYTHON_SYNC_NOW_10K_MS / x).toFixed(1)}x faster than Python`;
  console.log(
    `sync now, 10,000 events, stub server          ${ms(toStub)}  ` +
      `${(toStub / base).toFixed(1)}x baseline  ${vsPython(toStub)} (1.26 s; goal 0.3 s)`,
  );
  console.log(
    `sync now, 10,000 events, kittify serve        ${ms(toServe)}  ` +
      `${(toServe / base).toFixed(1)}x baseline  ${vsPython(toServe)}`,
  );
  console.log(
    `drain 100,000 events to kittify serve         ${
      Math.round(drained.perSecond).toLocaleString("en-US").padStart(6)
    } events/s  ${(drained.perSecond / PYTHON_DRAIN_PER_S).toFixed(1)}x Python (17,600/s)  ` +
      `client peak RSS ${drained.rss ? `${drained.rss.toFixed(0)} MB` : "n/a"} (goal ≤ 100 MB)`,
  );
  console.log(`implement, offline (not logged in)            ${ms(offline)}`);
  console.log(
    `implement, logged in, server up               ${ms(up)}  +${(up - offline).toFixed(0)} ms ` +
      "over offline (goal ≤ 20 ms)",
  );
  console.log(
    `implement, logged in, black-holed server      ${ms(holed)}  (goal ≤ 1,600 ms)`,
  );
} finally {
  for (const c of [stubClient, realClient, upClient, exitClient]) await c.cleanup();
  await proxy.close();
  await server.close();
  await stub.close();
}
