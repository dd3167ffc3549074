/**
 * Two server processes on one store: two Ingestors on two connections to the same KV file race
 * to store the same events. Each event must be stored exactly once (one success, one duplicate)
 * and the view must count it once.
 */
import { KvEventStore } from "../../src/server/storage/kv/kv_events.ts";
import { KvViewStore } from "../../src/server/storage/kv/kv_views.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingestor } from "../../src/server/ingest/ingest.ts";
import { ViewReader } from "../../src/server/view/read.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { PROJECT, statusEvent } from "./harness.ts";

Deno.test("ingest: two ingestors on one store never both store an event", async () => {
  const dir = await tempDir();
  const path = join(dir, "shared.kv");
  const kvA = await Deno.openKv(path);
  const kvB = await Deno.openKv(path);
  try {
    const a = new Ingestor(new KvEventStore(kvA));
    const b = new Ingestor(new KvEventStore(kvB));
    let total = 0;
    for (let round = 0; round < 5; round++) {
      const events = Array.from(
        { length: 200 },
        (_, i) => statusEvent({ wp: `WP${String(i % 20).padStart(2, "0")}`, lamport_clock: i }),
      );
      total += events.length;
      const [fromA, fromB] = await Promise.all([
        a.ingest("acme", events),
        b.ingest("acme", [...events].reverse()),
      ]);
      const statusOf = new Map<string, string[]>();
      for (const r of [...fromA.results, ...fromB.results]) {
        statusOf.set(r.event_id!, [...(statusOf.get(r.event_id!) ?? []), r.status]);
      }
      for (const [id, statuses] of statusOf) {
        assert.deepEqual(statuses.sort(), ["duplicate", "success"], id);
      }
      assert.equal(fromA.accepted.length + fromB.accepted.length, events.length);
    }
    const project = await new ViewReader(new KvViewStore(kvA)).project("acme", PROJECT);
    assert.equal(project?.event_count, total);
    const wpEvents = project!.features.flatMap((f) => f.work_packages)
      .reduce((n, w) => n + w.event_count, 0);
    assert.equal(wpEvents, total);
  } finally {
    kvA.close();
    kvB.close();
    await removeTree(dir);
  }
});

Deno.test("ingest: one team's large batch does not hold up another team's", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const ingestor = new Ingestor(new KvEventStore(kv));
    const big = Array.from({ length: 1000 }, (_, i) => {
      const event = statusEvent({ lamport_clock: i + 1 });
      event.payload.actor = "x".repeat(5_000);
      return event;
    });
    const finished: string[] = [];
    const large = ingestor.ingest("acme", big).then((outcome) => {
      finished.push("acme, large");
      return outcome;
    });
    const other = ingestor.ingest("rival", [
      statusEvent({ project_uuid: "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01" }),
    ]).then(() => finished.push("rival, small"));
    // A batch for the same project takes turns with the large one: an event in both is stored
    // by exactly one of them.
    const same = ingestor.ingest("acme", [big[0], statusEvent({ lamport_clock: 5_000 })]);
    const [fromLarge, , fromSame] = await Promise.all([large, other, same]);
    assert.equal(finished[0], "rival, small");
    assert.deepEqual(
      [fromLarge.results[0].status, fromSame.results[0].status].sort(),
      ["duplicate", "success"],
    );
    assert.equal(fromSame.results[1].status, "success");
    await ingestor.idle();
  } finally {
    kv.close();
  }
});
