/**
 * The PostgreSQL test harness (tests/helpers/postgres.ts) and the client library the server uses
 * (`postgres`, npm): a real server, fresh databases, a pool, transactions, ON CONFLICT ...
 * RETURNING, LISTEN/NOTIFY between two connections, and clean shutdown.
 *
 * One server for the file, started when the module loads and stopped by the last test (or, if
 * that one is filtered out, when the file's tests are done and Deno closes what it left open). The client checks run with Deno's op and
 * resource sanitizers on (they are off by default in Deno 2.9); the sanitizers do not see
 * node:net sockets, so "nothing is left" is also checked on the server, in pg_stat_activity.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createDatabase, dropDatabase, startPostgres } from "./postgres.ts";
import { exists } from "../../src/common/stat.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

async function refusesConnections(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.ConnectionRefused;
  }
}

const pg = await startPostgres();
const external = pg.source === "external";
const first = await createDatabase(pg.url);
const second = await createDatabase(pg.url);

/** A test with the op and resource sanitizers on. */
function strictTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name: `postgres: ${name}`, sanitizeOps: true, sanitizeResources: true, fn });
}

/** Client connections the server has open to the database of `url` (other than the asking one). */
async function connectionsTo(url: string): Promise<number> {
  const sql = postgres(pg.url, { max: 1 });
  try {
    const [{ n }] = await sql`
      select count(*)::int as n from pg_stat_activity
      where datname = ${new URL(url).pathname.slice(1)} and pid <> pg_backend_pid()`;
    return n;
  } finally {
    await sql.end();
  }
}

/** Waits (a little: a closed connection's backend takes a moment to go) until none are left. */
async function assertNoConnectionsTo(url: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  let n: number;
  while ((n = await connectionsTo(url)) > 0 && Date.now() < deadline) await delay(10);
  assert.equal(n, 0, `${n} connections left to ${url}`);
}

strictTest("the server: superuser, loopback only, throw-away settings", async () => {
  const sql = postgres(pg.url, { max: 1 });
  try {
    const [row] = await sql`
      select current_user as user, current_setting('server_version_num')::int as version,
             current_setting('fsync') as fsync`;
    assert.ok(row.version >= 130000, `server version ${row.version}`);
    if (!external) {
      assert.equal(row.user, "postgres");
      assert.equal(row.fsync, "off");
      assert.equal(new URL(pg.url).hostname, "127.0.0.1");
      if (pg.source === "npm") assert.equal(Math.floor(row.version / 10000), 17);
    }
  } finally {
    await sql.end();
  }
});

strictTest("createDatabase: new, empty and separate databases", async () => {
  assert.notEqual(first, second);
  const a = postgres(first, { max: 1 });
  const b = postgres(second, { max: 1 });
  try {
    const [db] = await a`select current_database() as name`;
    assert.equal(`/${db.name}`, new URL(first).pathname);
    const tables = (sql: postgres.Sql) =>
      sql`select count(*)::int as n from pg_tables where schemaname = 'public'`;
    assert.equal((await tables(a))[0].n, 0);
    assert.equal((await tables(b))[0].n, 0);
    await a`create table only_in_first (id int)`;
    assert.equal((await tables(a))[0].n, 1);
    assert.equal((await tables(b))[0].n, 0);
  } finally {
    await a.end();
    await b.end();
  }
});

strictTest("a pool runs queries on several connections, never more than max", async () => {
  const sql = postgres(first, { max: 3 });
  try {
    const rows = await Promise.all(
      Array.from({ length: 9 }, () => sql`select pg_backend_pid() as pid, pg_sleep(0.05)`),
    );
    const pids = new Set(rows.map(([row]) => row.pid));
    assert.ok(pids.size >= 2 && pids.size <= 3, `${pids.size} connections`);
  } finally {
    await sql.end();
  }
  await assertNoConnectionsTo(first);
});

strictTest(
  "transactions commit, roll back on a throw or an error, nest as savepoints",
  async () => {
    const sql = postgres(first, { max: 2 });
    try {
      await sql`create table ledger (id int primary key, note text not null)`;
      await sql.begin(async (tx) => {
        await tx`insert into ledger values (1, 'kept')`;
        await tx.savepoint(async (sp) => {
          await sp`insert into ledger values (2, 'inner')`;
        });
        await tx.savepoint(async (sp) => {
          await sp`insert into ledger values (3, 'undone')`;
          throw new Error("undo the savepoint");
        }).catch(() => {});
      });
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`insert into ledger values (4, 'rolled back')`;
          throw new Error("roll back");
        }),
        /roll back/,
      );
      // A failing statement rolls back the whole transaction.
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`insert into ledger values (5, 'rolled back too')`;
          await tx`insert into ledger values (1, 'duplicate')`;
        }),
        (error: postgres.PostgresError) => error.code === "23505",
      );
      const ids = (await sql`select id from ledger order by id`).map((row) => row.id);
      assert.deepEqual(ids, [1, 2]);
    } finally {
      await sql.end();
    }
  },
);

strictTest("a multi-row insert with ON CONFLICT DO NOTHING returns only new rows", async () => {
  const sql = postgres(first, { max: 1 });
  try {
    await sql`create table events (event_id text primary key, seq bigserial, body jsonb)`;
    const batch = (ids: string[]) => ids.map((id) => ({ event_id: id, body: sql.json({ id }) }));
    const inserted = await sql`
      insert into events ${sql(batch(["a", "b", "c"]), "event_id", "body")}
      on conflict (event_id) do nothing returning event_id, seq`;
    assert.deepEqual(inserted.map((row) => row.event_id), ["a", "b", "c"]);
    const again = await sql`
      insert into events ${sql(batch(["b", "d", "a", "e"]), "event_id", "body")}
      on conflict (event_id) do nothing returning event_id, seq`;
    assert.deepEqual(again.map((row) => row.event_id).sort(), ["d", "e"]);
    const [{ n }] = await sql`select count(*)::int as n from events`;
    assert.equal(n, 5);
    // bigint (int8, bigserial, count(*)) comes back as a string unless the client is told
    // otherwise; json and jsonb as parsed values, timestamptz as a Date.
    assert.equal(typeof inserted[0].seq, "string");
    const [row] = await sql`select body, now() as at from events where event_id = 'a'`;
    assert.deepEqual(row.body, { id: "a" });
    assert.ok(row.at instanceof Date);
  } finally {
    await sql.end();
  }
});

strictTest("LISTEN/NOTIFY between two clients: delivered on commit, not on rollback", async () => {
  const listener = postgres(second, { max: 1 });
  const notifier = postgres(second, { max: 2 });
  try {
    const received: string[] = [];
    let listening = 0;
    const { unlisten } = await listener.listen(
      "kittify_events",
      (payload) => received.push(payload),
      () => listening++,
    );
    assert.equal(listening, 1);

    await notifier.notify("kittify_events", "one");
    await waitFor("the first notification", () => received.length === 1);

    await assert.rejects(notifier.begin(async (tx) => {
      await tx`select pg_notify('kittify_events', 'rolled back')`;
      throw new Error("roll back");
    }));
    await notifier.begin(async (tx) => {
      await tx`select pg_notify('kittify_events', 'two')`;
      await tx`select pg_notify('kittify_events', 'three')`;
      await delay(50);
      assert.deepEqual(received, ["one"], "nothing is delivered before the commit");
    });
    await waitFor("the committed notifications", () => received.length >= 3);
    // One session's notifications arrive in commit order, so a rolled-back one would be here.
    assert.deepEqual(received, ["one", "two", "three"]);

    await unlisten();
    await notifier.notify("kittify_events", "after unlisten");
    await delay(50);
    assert.deepEqual(received, ["one", "two", "three"]);
  } finally {
    await listener.end();
    await notifier.end();
  }
  await assertNoConnectionsTo(second); // the listening connection too
});

strictTest("end() closes every connection, even a listening one; later queries fail", async () => {
  const sql = postgres(second, { max: 4, idle_timeout: 30, connect_timeout: 10 });
  await Promise.all([sql`select 1`, sql`select 2`, sql`select 3`]);
  await sql.listen("kittify_events", () => {});
  assert.ok(await connectionsTo(second) >= 2);
  await sql.end({ timeout: 5 });
  await assertNoConnectionsTo(second);
  await assert.rejects(
    sql`select 1`,
    (error: { code?: string }) => error.code === "CONNECTION_ENDED",
  );
});

strictTest("dropDatabase removes a database that still has connections", async () => {
  const open = postgres(second, { max: 1 });
  const sql = postgres(pg.url, { max: 1 });
  try {
    await open`select 1`;
    await dropDatabase(second);
    const rows = await sql`select 1 from pg_database where datname = ${
      new URL(second).pathname.slice(1)
    }`;
    assert.equal(rows.length, 0);
  } finally {
    await sql.end();
    await open.end().catch(() => {});
  }
});

// Last: stops the server of this file. Closing the server's pipe is a resource opened outside
// this test, so this one runs without sanitizers.
Deno.test("postgres: stop() ends the server and removes its folder", async () => {
  await pg.stop();
  await pg.stop(); // twice is fine
  if (external) return;
  assert.equal(await exists(pg.dir!), false);
  assert.ok(await refusesConnections(Number(new URL(pg.url).port)));
});

Deno.test({
  name: "postgres: a test process that dies (SIGKILL) leaves no server and no folder",
  ignore: Boolean(Deno.env.get("KITTIFY_TEST_DATABASE_URL")),
  fn: async () => {
    const helper = new URL("./postgres.ts", import.meta.url).href;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const code = `
      import { startPostgres } from ${JSON.stringify(helper)};
      const pg = await startPostgres();
      console.log(JSON.stringify({ url: pg.url, dir: pg.dir }));
      await new Promise(() => setInterval(() => {}, 1000));
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", "--config", config, code],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    await reader.cancel();
    child.kill("SIGKILL");
    await child.status;
    const errors = await stderr;
    assert.ok(out.includes("\n"), `the child printed no server: ${errors}`);
    const { url, dir } = JSON.parse(out);
    const port = Number(new URL(url).port);
    const deadline = Date.now() + 10_000;
    while (!(await refusesConnections(port)) || await exists(dir)) {
      assert.ok(Date.now() < deadline, `server on ${port} or ${dir} still there after 10 s`);
      await delay(20);
    }
  },
});
