/**
 * A store written by an older server (events under `["events", event_id]`, no activity index) is
 * brought to the current layout at start: every event moved once and every project indexed, in
 * small commits, idempotently; dedup and the project list then work on it.
 */
import assert from "node:assert/strict";
import type { StoredEvent } from "../../src/server/ingest/stored_event.ts";
import { eventKey, STORE_LAYOUT } from "../../src/server/storage/kv/keys.ts";
import { CURRENT_LAYOUT, migrateStore } from "../../src/server/storage/kv/migrations.ts";
import { login, postBatch, results, send, startTestServer, statusEvent } from "./harness.ts";

Deno.test("an old store's events move to per-team keys once; dedup still knows them", async () => {
  const kv = await Deno.openKv(":memory:");
  const events = Array.from({ length: 450 }, (_, i) => statusEvent({ lamport_clock: i + 1 }));
  // A few large ones, so commits are cut by size as well as by count.
  for (const event of events.slice(0, 20)) event.payload.actor = "x".repeat(50_000);
  for (const event of events) {
    const record: StoredEvent = {
      envelope: JSON.stringify(event),
      team: "acme",
      received_at: new Date().toISOString(),
    };
    await kv.set(["events", event.event_id], record);
  }

  // A project row of the view, from before the activity index.
  const row = {
    project_uuid: events[0].project_uuid,
    project_slug: "demo",
    repo_slug: null,
    team: "acme",
    event_count: 450,
    last_change: null,
    last_received_at: "2026-01-01T00:00:00.000Z",
  };
  await kv.set(["view", "acme", row.project_uuid!], row);

  assert.equal(await migrateStore(kv), 451);
  assert.equal((await kv.get(STORE_LAYOUT)).value, CURRENT_LAYOUT);
  let old = 0;
  let moved = 0;
  for await (const entry of kv.list({ prefix: ["events"] })) {
    if (entry.key.length === 2) old++;
    else moved++;
  }
  assert.deepEqual({ old, moved }, { old: 0, moved: 450 });
  const first = (await kv.get<StoredEvent>(eventKey("acme", events[0].event_id))).value!;
  assert.deepEqual(JSON.parse(first.envelope as string), events[0]);
  assert.deepEqual(
    (await kv.get(["activity", "acme", row.last_received_at, row.project_uuid!])).value,
    row,
  );
  assert.equal(await migrateStore(kv), 0, "a second start has nothing to do");

  // The server starts on the migrated store (startTestServer migrates again: nothing left); an
  // old event sent again is a duplicate, not stored twice; the project is listed.
  const server = await startTestServer({ kv });
  try {
    const access = (await login(server.url, "alice")).access;
    const again = await postBatch(server.url, access, [events[7]]);
    assert.equal(results(again)[0].status, "duplicate");
    const listed = await send(`${server.url}/api/v1/projects/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    assert.deepEqual(
      (listed.body as { projects: Array<{ project_uuid: string }> }).projects.map((p) =>
        p.project_uuid
      ),
      [row.project_uuid],
    );
  } finally {
    await server.close();
  }
});

Deno.test("a row changed by another server while the index is built gets its current entry only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(STORE_LAYOUT, 2);
    const project = "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01";
    const row = {
      project_uuid: project,
      project_slug: "demo",
      repo_slug: null,
      team: "acme",
      event_count: 1,
      last_change: null,
      last_received_at: "2026-01-01T00:00:00.000Z",
    };
    await kv.set(["view", "acme", project], row);
    // Another server stores an event just before this one commits: the row moves on and that
    // server writes the row's new index entry (as ingest does).
    const later = { ...row, event_count: 2, last_received_at: "2026-01-02T00:00:00.000Z" };
    let raced = false;
    const racing = new Proxy(kv, {
      get(target, name) {
        if (name !== "atomic") {
          const value = Reflect.get(target, name);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = async () => {
            if (!raced) {
              raced = true;
              await target.set(["view", "acme", project], later);
              await target.set(["activity", "acme", later.last_received_at, project], later);
            }
            return await commit();
          };
          return op;
        };
      },
    });
    await migrateStore(racing);
    assert.ok(raced);
    const entries = [];
    for await (const e of kv.list({ prefix: ["activity", "acme"] })) entries.push(e.key);
    assert.deepEqual(entries, [["activity", "acme", later.last_received_at, project]]);
  } finally {
    kv.close();
  }
});
