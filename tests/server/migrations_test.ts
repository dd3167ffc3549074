/**
 * A store written by an older server (events under `["events", event_id]`) is brought to the
 * per-team layout at start: every event moved once, in small commits, idempotently; dedup then
 * still knows them.
 */
import assert from "node:assert/strict";
import type { StoredEvent } from "../../src/server/ingest/stored_event.ts";
import { eventKey, STORE_LAYOUT } from "../../src/server/keys.ts";
import { CURRENT_LAYOUT, migrateStore } from "../../src/server/migrations.ts";
import { login, postBatch, results, startTestServer, statusEvent } from "./harness.ts";

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

  assert.equal(await migrateStore(kv), 450);
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
  assert.equal(await migrateStore(kv), 0, "a second start has nothing to do");

  // The server starts on the migrated store (startTestServer migrates again: nothing left) and
  // an old event sent again is a duplicate, not stored twice.
  const server = await startTestServer({ kv });
  try {
    const access = (await login(server.url, "alice")).access;
    const again = await postBatch(server.url, access, [events[7]]);
    assert.equal(results(again)[0].status, "duplicate");
  } finally {
    await server.close();
  }
});
