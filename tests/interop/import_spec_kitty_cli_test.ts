/**
 * `kittify sync import-spec-kitty` on a queue.db built here with spec-kitty's documented schema:
 * FIFO order (timestamp, then id), ids and Lamport values kept, invalid rows reported and left,
 * dedup by event_id (a second import adds nothing), --dry-run, --remove-imported, and the
 * imported events delivered to a real server with their own values.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Envelope } from "../../src/events/types.ts";
import { startServe } from "../helpers/serve.ts";
import { syncClientBox, validEvent } from "../helpers/sync_client.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT UNIQUE NOT NULL,
    event_type TEXT NOT NULL,
    data TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    retry_count INTEGER DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS idx_timestamp ON queue(timestamp);
  CREATE INDEX IF NOT EXISTS idx_retry ON queue(retry_count);
`;

function writeQueue(path: string, rows: Array<{ id: string; data: string; at: number }>) {
  const db = new DatabaseSync(path);
  db.exec(SCHEMA);
  const insert = db.prepare(
    "INSERT INTO queue (event_id, event_type, data, timestamp) VALUES (?, ?, ?, ?)",
  );
  for (const row of rows) insert.run(row.id, "WPStatusChanged", row.data, row.at);
  db.close();
}

function queueSize(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  const { n } = db.prepare("SELECT COUNT(*) AS n FROM queue").get() as { n: number };
  db.close();
  return Number(n);
}

interface ImportJson {
  found: boolean;
  queued: number;
  imported: number;
  held: number;
  duplicates: number;
  invalid: Array<{ row_id: number; event_id: string; reason: string }>;
  removed: number;
}

Deno.test("import-spec-kitty: FIFO, ids and Lamport values kept, invalid rows left, idempotent", async () => {
  const server = await startServe([{ username: "alice", team: "acme" }]);
  const client = await syncClientBox(server.url);
  try {
    const queuePath = join(client.home, "queue.db");
    const none = await client.run(["sync", "import-spec-kitty"]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No spec-kitty queue at .*queue\.db: nothing to import/);

    const ev = (i: number, lamport: number, project: string | null = client.project): Envelope => ({
      ...validEvent(client.project, i, "acme"),
      project_uuid: project,
      lamport_clock: lamport,
    });
    const [known] = await client.seed(1, "acme");
    const a = ev(1, 1_010);
    const b = ev(2, 1_011);
    const c = ev(3, 1_012);
    const held = ev(4, 1_013, null);
    const badType = { ...ev(5, 1_014), event_type: "Nope" };
    const rows = [
      { id: a.event_id, data: JSON.stringify(a), at: 100 },
      { id: b.event_id, data: JSON.stringify(b), at: 50 }, // queued earlier: goes first
      { id: c.event_id, data: JSON.stringify(c), at: 100 }, // same second as a: after it (id)
      { id: held.event_id, data: JSON.stringify(held), at: 200 },
      { id: "01JUNKJUNKJUNKJUNKJUNKJUNK", data: "{not json", at: 210 },
      { id: badType.event_id, data: JSON.stringify(badType), at: 220 },
      {
        id: known,
        data: JSON.stringify({ ...ev(6, 1_015), event_id: known }),
        at: 230,
      },
    ];
    writeQueue(queuePath, rows);

    // A dry run reports and changes nothing.
    const dry = await client.run(["sync", "import-spec-kitty", "--dry-run", "--json"]);
    assert.equal(dry.code, 1, "invalid rows make the exit code 1");
    const dryReport = JSON.parse(dry.stdout) as ImportJson;
    assert.deepEqual(
      [dryReport.queued, dryReport.imported, dryReport.held, dryReport.duplicates],
      [7, 4, 1, 1],
    );
    assert.equal((await client.ids("pending")).length, 1);
    assert.equal(queueSize(queuePath), 7);

    await client.login("alice");
    const first = await client.run(["sync", "import-spec-kitty", "--json"]);
    assert.equal(first.code, 1, first.stderr);
    const report = JSON.parse(first.stdout) as ImportJson;
    assert.deepEqual(
      [report.queued, report.imported, report.held, report.duplicates, report.removed],
      [7, 4, 1, 1, 0],
    );
    assert.deepEqual(report.invalid.map((r) => r.event_id), [
      "01JUNKJUNKJUNKJUNKJUNKJUNK",
      badType.event_id,
    ]);
    assert.match(report.invalid[0].reason, /^not JSON/);
    assert.match(report.invalid[1].reason, /event_type/);
    assert.equal(queueSize(queuePath), 7, "spec-kitty's queue is left as it was");

    // Stored in spec-kitty's order with their own Lamport values (sent at exit or by sync now).
    const now = await client.run(["sync", "now", "--json"]);
    assert.equal(now.code, 0, now.stderr);
    const stored = await server.storedEvents();
    for (const event of [a, b, c]) {
      assert.equal(stored.get(event.event_id)?.event.lamport_clock, event.lamport_clock);
    }
    assert.equal(stored.has(held.event_id), false, "an event without a project is never sent");
    const listed = JSON.parse(
      (await client.run(["events", "--state", "synced", "--json"])).stdout,
    ) as Array<{ event: Envelope }>;
    const order = listed.map((e) => e.event.event_id).filter((id) =>
      [a, b, c].some((x) => x.event_id === id)
    );
    assert.deepEqual(order, [b.event_id, a.event_id, c.event_id]);

    // The clock went past the imported values: the next event sorts after them.
    const created = await client.run(["feature", "create", "After import", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    const all = JSON.parse((await client.run(["events", "--json"])).stdout) as Array<
      { event: Envelope }
    >;
    const feature = all.find((e) => e.event.event_type === "FeatureCreated")!;
    assert.ok(feature.event.lamport_clock > 1_013, `lamport ${feature.event.lamport_clock}`);

    // Again: nothing new. With --remove-imported, the rows kittify has leave spec-kitty's queue.
    const again = await client.run(["sync", "import-spec-kitty", "--json", "--remove-imported"]);
    const second = JSON.parse(again.stdout) as ImportJson;
    assert.deepEqual([second.imported, second.duplicates, second.removed], [0, 5, 5]);
    assert.equal(queueSize(queuePath), 2, "the invalid rows stay");

    const wrong = await client.run(["sync", "import-spec-kitty", "--from", "/nonexistent/q.db"]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: no such file: \/nonexistent\/q\.db/m);
    const both = await client.run(["sync", "import-spec-kitty", "--dry-run", "--remove-imported"]);
    assert.equal(both.code, 2);
    await Deno.writeTextFile(join(client.home, "not.db"), "hello");
    const notDb = await client.run([
      "sync",
      "import-spec-kitty",
      "--from",
      join(client.home, "not.db"),
    ]);
    assert.equal(notDb.code, 1);
    assert.match(notDb.stderr, /^error: cannot read spec-kitty's queue/m);
  } finally {
    await client.cleanup();
    await server.close();
  }
});
