/**
 * Two server processes on one store: two Ingestors on two connections to the same KV file race
 * to store the same events. Each event must be stored exactly once (one success, one duplicate)
 * and the view must count it once.
 */
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
    const a = new Ingestor(kvA);
    const b = new Ingestor(kvB);
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
    const project = await new ViewReader(kvA).project("acme", PROJECT);
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
