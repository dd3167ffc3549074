/**
 * Live sync benchmark (issue 10 §1 and §6), against a real `kittify serve` on loopback, whole
 * kittify processes with the binary's flags, medians:
 *
 * 1. Emit to stored at the server, one `kittify emit` at a time: with `kittify sync watch`
 *    running (the watch delivers over its WebSocket) and with delivery at the command's exit
 *    (HTTP). Measured from the event's timestamp to the moment another client of the team gets
 *    the server's broadcast of it (the server broadcasts right after storing).
 * 2. What delivering one event costs a fresh process over HTTP and over a new WebSocket (token,
 *    upgrade, snapshot, frame, ack, close): why short commands deliver by HTTP.
 * 3. Throughput of one WebSocket with acks (a watch draining a backlog) against `sync now` over
 *    HTTP, and the watch's peak RSS.
 *
 *   deno run -A scripts/bench/live_bench.ts [emits=30] [backlog=100000]
 */
import { cliCommand } from "../../tests/helpers/cli.ts";
import { SERVE_PASSWORD, startServe } from "../../tests/helpers/serve.ts";
import { type SyncClientBox, syncClientBox } from "../../tests/helpers/sync_client.ts";
import { login } from "../../tests/server/harness.ts";
import { wsToken } from "../../tests/server/ws_client.ts";
import { WsConnection } from "../../src/transport/ws_connection.ts";
import { watchPeakRss } from "./rss.ts";

const EMITS = Number(Deno.args[0] ?? 30);
const BACKLOG = Number(Deno.args[1] ?? 100_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.99 * xs.length) - 1)];
const fmt = (x: number) => `${x.toFixed(1).padStart(7)} ms`;

/** Parses `2026-12-02T06:33:55.639056+00:00` to ms (sub-ms kept). */
function eventTime(timestamp: string): number {
  const [whole, micros] = timestamp.replace("+00:00", "Z").split(".");
  return Date.parse(`${whole}Z`) + Number(micros.slice(0, 6)) / 1000;
}

/** A WebSocket listener of the team: the wall time each event's broadcast arrives. */
async function listener(url: string) {
  const { access } = await login(url, "bob", SERVE_PASSWORD);
  const arrivals = new Map<string, { at: number; timestamp: string }>();
  const conn = await WsConnection.open(url, await wsToken(url, access), {
    timeoutMs: 5_000,
    handlers: {
      onEvent: (e) =>
        arrivals.set(String(e.event_id), { at: Date.now(), timestamp: String(e.timestamp) }),
    },
  });
  return { arrivals, close: () => conn.close() };
}

async function emitLatencies(client: SyncClientBox, url: string): Promise<number[]> {
  const ears = await listener(url);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < EMITS; i++) {
      const out = await cliCommand(
        [
          "emit",
          "HistoryAdded",
          "--aggregate-id",
          "WP01",
          "--payload",
          JSON.stringify({ wp_id: "WP01", entry_type: "note", entry_content: `bench ${i}` }),
          "--json",
        ],
        { cwd: client.repo, home: client.home },
      ).output();
      const event = JSON.parse(new TextDecoder().decode(out.stdout));
      const deadline = Date.now() + 10_000;
      while (!ears.arrivals.has(event.event_id) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const seen = ears.arrivals.get(event.event_id);
      if (!seen) throw new Error("the event never reached the server");
      latencies.push(seen.at - eventTime(seen.timestamp));
    }
  } finally {
    await ears.close();
  }
  return latencies;
}

function startWatch(client: SyncClientBox) {
  const child = cliCommand(["sync", "watch"], { cwd: client.repo, home: client.home }).spawn();
  const rss = watchPeakRss(child);
  const lines: string[] = [];
  child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (c) => void lines.push(c) }),
  );
  child.stdout.cancel();
  return {
    connected: async () => {
      while (!lines.join("").includes("connected:")) await new Promise((r) => setTimeout(r, 10));
    },
    stop: async () => {
      child.kill("SIGINT");
      await child.status;
      return await rss;
    },
  };
}

async function untilDrained(client: SyncClientBox): Promise<void> {
  while ((await client.head()).stats.count.pending > 0) await new Promise((r) => setTimeout(r, 20));
}

/** One event delivered by a fresh process: HTTP batch, or a new WebSocket. */
async function freshProcessCost(url: string, mode: "http" | "ws", access: string) {
  const script = `
    import { HttpBatchTransport } from "${new URL(
    "../../src/transport/http_batch.ts",
    import.meta.url,
  )}";
    import { AuthApi } from "${new URL("../../src/transport/auth_api.ts", import.meta.url)}";
    import { WsConnection } from "${new URL(
    "../../src/transport/ws_connection.ts",
    import.meta.url,
  )}";
    import { validEvent } from "${new URL("../../tests/helpers/sync_client.ts", import.meta.url)}";
    const event = validEvent(crypto.randomUUID(), 0, "acme");
    const json = new TextEncoder().encode(JSON.stringify(event));
    const entry = { seq: 1, event_id: event.event_id, event_type: event.event_type, json, bytes: json.length, attempts: 0 };
    const start = performance.now();
    if (Deno.args[0] === "http") {
      await new HttpBatchTransport(Deno.args[1]).send([entry], Deno.args[2]);
    } else {
      const token = await new AuthApi().wsToken(Deno.args[1], Deno.args[2]);
      const socket = await WsConnection.open(Deno.args[1], token, { timeoutMs: 5000 });
      await socket.send([entry], { ackTimeoutMs: 5000 });
      await socket.close();
    }
    console.log(performance.now() - start);`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const samples: number[] = [];
  for (let i = 0; i < 12; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `--config=${new URL("../../deno.json", import.meta.url).pathname}`,
        file,
        mode,
        url,
        access,
      ],
    }).output();
    if (i >= 2) samples.push(Number(new TextDecoder().decode(out.stdout)));
  }
  await Deno.remove(file);
  return median(samples);
}

const server = await startServe([{ username: "alice", team: "acme" }, {
  username: "bob",
  team: "acme",
}]);
const atExit = await syncClientBox(server.url);
const live = await syncClientBox(server.url);
const drainer = await syncClientBox(server.url);
try {
  for (const c of [atExit, live, drainer]) await c.login("alice");
  const byExit = await emitLatencies(atExit, server.url);
  const watcher = startWatch(live);
  await watcher.connected();
  const byWatch = await emitLatencies(live, server.url);
  await watcher.stop();

  const { access } = await login(server.url, "alice", SERVE_PASSWORD);
  const httpCost = await freshProcessCost(server.url, "http", access);
  const wsCost = await freshProcessCost(server.url, "ws", access);

  for (let done = 0; done < BACKLOG; done += 10_000) {
    await drainer.seed(Math.min(10_000, BACKLOG - done));
  }
  let start = performance.now();
  const drainWatch = startWatch(drainer);
  await untilDrained(drainer);
  const wsSeconds = (performance.now() - start) / 1000;
  const watchRss = await drainWatch.stop();
  for (let done = 0; done < BACKLOG; done += 10_000) {
    await drainer.seed(Math.min(10_000, BACKLOG - done));
  }
  start = performance.now();
  await cliCommand(["sync", "now"], { cwd: drainer.repo, home: drainer.home }).output();
  const httpSeconds = (performance.now() - start) / 1000;

  console.log(
    `live sync benchmark (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores), ` +
      `${EMITS} emits each`,
  );
  console.log(
    `emit → stored, sync watch running   p50 ${fmt(median(byWatch))}  p99 ${fmt(p99(byWatch))}` +
      "  (goal p50 ≤ 50 ms)",
  );
  console.log(
    `emit → stored, delivery at exit     p50 ${fmt(median(byExit))}  p99 ${fmt(p99(byExit))}`,
  );
  console.log(
    `one event from a fresh process: HTTP batch ${fmt(httpCost)}, new WebSocket ${fmt(wsCost)} ` +
      `(${(wsCost / httpCost).toFixed(2)}x)`,
  );
  const rate = (s: number) => `${Math.round(BACKLOG / s).toLocaleString("en-US")} events/s`;
  console.log(
    `${BACKLOG.toLocaleString("en-US")} events: one WebSocket with acks ${rate(wsSeconds)}, ` +
      `sync now over HTTP ${rate(httpSeconds)} (ratio ${(httpSeconds / wsSeconds).toFixed(2)}); ` +
      `sync watch peak RSS ${watchRss ? `${watchRss.toFixed(0)} MB` : "n/a"} (goal ≤ 100 MB)`,
  );
} finally {
  for (const c of [atExit, live, drainer]) await c.cleanup();
  await server.close();
}
