/**
 * Ingestion under concurrency that does not depend on the store (two handles on one store racing
 * on the same events is part of the store conformance suite, tests/server/storage/).
 */
import { KvEventStore } from "../../src/server/storage/kv/kv_events.ts";
import assert from "node:assert/strict";
import { Ingestor } from "../../src/server/ingest/ingest.ts";
import { statusEvent } from "./harness.ts";

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
