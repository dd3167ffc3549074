/**
 * Two real `kittify serve` processes (the binary's flags) on one real PostgreSQL database, as
 * behind a load balancer: events stored once whichever process gets them, live fan-out across the
 * processes, a removed user's sockets closed on every process, and no acknowledged event lost
 * when one process is killed mid-ingestion.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashPassword } from "../../src/server/auth/password.ts";
import { openPostgresStore } from "../../src/server/storage/postgres/postgres_server_store.ts";
import type { PostgresServerStore } from "../../src/server/storage/postgres/postgres_server_store.ts";
import { runKittify } from "../helpers/cli.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { createDatabase, startPostgres } from "../helpers/postgres.ts";
import { type ServeProcess, spawnServe } from "../helpers/serve.ts";
import { login, PASSWORD, postBatch, PROJECT, results, statusEvent } from "./harness.ts";
import { WsClient, wsToken } from "./ws_client.ts";

interface Cluster {
  a: ServeProcess;
  b: ServeProcess;
  store: PostgresServerStore;
  env: Record<string, string>;
  dir: string;
  restartA(): Promise<void>;
  close(): Promise<void>;
}

async function cluster(serverUrl: string): Promise<Cluster> {
  const url = await createDatabase(serverUrl);
  const dir = await tempDir("kittify-pg-serve-");
  const env = { DATABASE_URL: url };
  // `serve migrate` creates the schema; then users go straight into the database.
  const migrated = await runKittify(["serve", "migrate", "--json"], {
    cwd: dir,
    home: join(dir, "home"),
    env,
  });
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.ok(JSON.parse(migrated.stdout).records_written >= 1);
  const store = await openPostgresStore(url, "existing");
  const password = await hashPassword(PASSWORD);
  for (const [username, team] of [["alice", "acme"], ["bob", "acme"], ["eve", "rival"]]) {
    await store.users.insert({ username, team, password, created_at: new Date().toISOString() });
  }
  const start = () => spawnServe(["--port", "0"], { dir, env });
  const [a, b] = await Promise.all([start(), start()]);
  const c: Cluster = {
    a,
    b,
    store,
    env,
    dir,
    restartA: async () => {
      c.a = await start();
    },
    close: async () => {
      await Promise.all([c.a.stop(), c.b.stop()]);
      await store.close();
      await removeTree(dir);
    },
  };
  return c;
}

async function storedCount(store: PostgresServerStore): Promise<number> {
  const [{ n }] = await store.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM events`;
  return n;
}

Deno.test("postgres: two serve processes on one database", async (t) => {
  await using pg = await startPostgres();

  await t.step("the same 10,000 events sent to both are stored once each", async () => {
    const c = await cluster(pg.url);
    try {
      const [tokenA, tokenB] = await Promise.all([login(c.a.url, "alice"), login(c.b.url, "bob")]);
      const events = Array.from({ length: 10_000 }, (_, i) =>
        statusEvent({
          wp: `WP${String((i % 40) + 1).padStart(2, "0")}`,
          feature: `${String((i % 7) + 1).padStart(3, "0")}-f`,
          lamport_clock: i + 1,
        }));
      const successes = new Map<string, number>();
      const send = async (url: string, access: string, order: Envelope[]) => {
        for (let i = 0; i < order.length; i += 1000) {
          const response = await postBatch(url, access, order.slice(i, i + 1000));
          assert.equal(response.status, 200);
          for (const r of results(response)) {
            assert.notEqual(r.status, "rejected", String(r.error));
            if (r.status === "success") {
              successes.set(String(r.event_id), (successes.get(String(r.event_id)) ?? 0) + 1);
            }
          }
        }
      };
      await Promise.all([
        send(c.a.url, tokenA.access, events),
        send(c.b.url, tokenB.access, [...events].reverse()),
      ]);
      assert.equal(successes.size, 10_000);
      assert.ok([...successes.values()].every((n) => n === 1), "one success per event");
      assert.equal(await storedCount(c.store), 10_000);
      const view = await fetch(`${c.b.url}/api/v1/projects/${PROJECT}/`, {
        headers: { authorization: `Bearer ${tokenB.access}` },
      }).then((r) => r.json());
      assert.equal(view.event_count, 10_000);
      assert.equal(view.features.length, 7);
    } finally {
      await c.close();
    }
  });

  await t.step("a WebSocket on one process hears events stored by the other", async () => {
    const c = await cluster(pg.url);
    try {
      const onA = await login(c.a.url, "alice");
      const socket = await WsClient.connect(c.a.url, await wsToken(c.a.url, onA.access));
      try {
        await socket.nextOfType("snapshot");
        const onB = await login(c.b.url, "bob");
        const sent = [statusEvent({ to: "for_review" }), statusEvent({ wp: "WP02" })];
        const response = await postBatch(c.b.url, onB.access, sent);
        assert.deepEqual(results(response).map((r) => r.status), ["success", "success"]);
        const heard = await within(5_000, async () => [
          await socket.nextOfType("event"),
          await socket.nextOfType("event"),
        ]);
        assert.deepEqual(
          heard.map((f) => f.event_id),
          sent.map((e) => e.event_id),
        );
        // Another team hears nothing of it: eve's socket on B gets only its own team's events.
        const eve = await login(c.b.url, "eve");
        const eveSocket = await WsClient.connect(c.b.url, await wsToken(c.b.url, eve.access));
        await eveSocket.nextOfType("snapshot");
        const other = "22222222-0000-4000-8000-000000000001";
        await postBatch(c.a.url, onA.access, [statusEvent({ project_uuid: other })]);
        const mine = statusEvent({ project_uuid: "33333333-0000-4000-8000-000000000001" });
        await postBatch(c.a.url, eve.access, [mine]);
        const eveHeard = await within(5_000, () => eveSocket.nextOfType("event"));
        assert.equal(eveHeard.event_id, mine.event_id);
        await eveSocket.close();

        // Removing alice (from any process: here the CLI) closes her socket on process A.
        const removed = await runKittify(["serve", "user", "remove", "alice"], {
          cwd: c.dir,
          home: join(c.dir, "home"),
          env: c.env,
        });
        assert.equal(removed.code, 0, removed.stderr);
        const closed = await within(10_000, () => socket.closed);
        assert.equal(closed.code, 4401);
      } finally {
        await socket.close();
      }
    } finally {
      await c.close();
    }
  });

  await t.step("kill -9 of one process mid-ingestion loses no acknowledged event", async () => {
    const c = await cluster(pg.url);
    try {
      const token = await login(c.a.url, "alice");
      const acked = new Set<string>();
      let crashed = false;
      const sending = (async () => {
        for (let round = 0; round < 200 && !crashed; round++) {
          const batch = Array.from({ length: 200 }, () => statusEvent());
          try {
            const response = await postBatch(c.a.url, token.access, batch);
            if (response.status !== 200) continue;
            for (const r of results(response)) {
              if (r.status === "success" || r.status === "duplicate") acked.add(String(r.event_id));
            }
          } catch {
            // the process died under this request: nothing of it was acknowledged
          }
        }
      })();
      while (acked.size < 1000) await new Promise((resolve) => setTimeout(resolve, 10));
      crashed = true;
      await c.a.crash();
      await sending;
      const stored = new Set(
        (await c.store.sql<{ event_id: string }[]>`SELECT event_id FROM events`)
          .map((r) => r.event_id),
      );
      for (const id of acked) assert.ok(stored.has(id), `acknowledged ${id} was lost`);
      // The survivor carries on; a restarted process too, on the same view.
      const viaB = await postBatch(c.b.url, token.access, [statusEvent()]);
      assert.equal(results(viaB)[0].status, "success");
      await c.restartA();
      const viaA = await postBatch(c.a.url, token.access, [statusEvent()]);
      assert.equal(results(viaA)[0].status, "success");
      const [{ n }] = await c.store.sql<{ n: number }[]>`
        SELECT (row::json->>'event_count')::int AS n FROM view_projects`;
      assert.equal(n, await storedCount(c.store), "the view counts every stored event once");
    } finally {
      await c.close();
    }
  });
});

type Envelope = ReturnType<typeof statusEvent>;

/** `work`'s result, or a failure after `ms` (a missing fan-out must fail, not hang). */
async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
