/**
 * Moving delivered events from `pending` to the bounded `synced` log (the last
 * {@link SYNCED_LOG_LIMIT} are kept), with counters updated in the same commit.
 */
import { entryKey, HEAD_KEY, indexKey, statePrefix } from "./keys.ts";
import type { IndexEntry, StoredRecord } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head, tally } from "./stats.ts";

export const SYNCED_LOG_LIMIT = 1_000;
/** Events per commit (each needs 2 checks, KV allows 100). */
const CHUNK = 40;

/** Marks the pending events with these ids as synced; unknown or non-pending ids are ignored.
 * Returns how many moved. */
export async function markSynced(kv: Deno.Kv, eventIds: readonly string[]): Promise<number> {
  let moved = 0;
  for (let i = 0; i < eventIds.length; i += CHUNK) {
    moved += await markChunk(kv, eventIds.slice(i, i + CHUNK));
  }
  return moved;
}

async function markChunk(kv: Deno.Kv, ids: readonly string[]): Promise<number> {
  while (true) {
    const headEntry = await retryLocked(() => kv.get<Head>(HEAD_KEY));
    const head = structuredClone(headEntry.value ?? emptyHead());
    const stats = head.stats;
    const op = kv.atomic().check(headEntry);
    let moved = 0;
    for (let i = 0; i < ids.length; i += 10) {
      const index = await kv.getMany<IndexEntry[]>(ids.slice(i, i + 10).map(indexKey));
      for (const idx of index) {
        if (idx.value?.state !== "pending") continue;
        const entry = await kv.get<StoredRecord>(entryKey("pending", idx.value.seq));
        if (entry.value === null) continue;
        const seq = idx.value.seq;
        op.check(idx).delete(entry.key).set(entryKey("synced", seq), entry.value);
        op.set(idx.key, { state: "synced", seq } satisfies IndexEntry);
        tally(stats, "pending", entry.value, -1);
        tally(stats, "synced", entry.value, 1);
        moved++;
      }
    }
    const excess = stats.count.synced - SYNCED_LOG_LIMIT;
    if (excess > 0) {
      const iter = kv.list<StoredRecord>({ prefix: statePrefix("synced") }, { limit: excess });
      for await (const old of iter) {
        op.delete(old.key).delete(indexKey(old.value.event_id));
        tally(stats, "synced", old.value, -1);
      }
    }
    op.set(HEAD_KEY, head);
    if ((await retryLocked(() => op.commit())).ok) return moved;
  }
}
