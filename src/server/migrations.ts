/**
 * Bringing a store written by an older `kittify serve` to the current layout, at start-up.
 *
 * Layout 1 kept events under `["events", event_id]`, so dedup was global: an id one team had
 * stored made another team's event with that id a "duplicate" that was never stored for it.
 * Layout 2 keys them `["events", team, event_id]` (the team is in each record). Moving is
 * idempotent and done in small commits, so a server killed halfway, or several servers sharing
 * the store starting at once, simply finish the job; the layout is recorded when nothing is left.
 */
import { retryLocked } from "../store/retry.ts";
import type { StoredEvent } from "./ingest/stored_event.ts";
import { eventKey, EVENTS_PREFIX, STORE_LAYOUT } from "./keys.ts";

export const CURRENT_LAYOUT = 2;

/** Deno KV allows 1,000 mutations and 800 KiB per commit; events are at most ~60 KiB each. */
const MAX_MOVES_PER_COMMIT = 200;
const MAX_BYTES_PER_COMMIT = 600 * 1024;

/** Migrates `kv` to the current layout; returns how many events were moved. */
export async function migrateStore(kv: Deno.Kv): Promise<number> {
  const layout = (await kv.get<number>(STORE_LAYOUT)).value ?? 1;
  if (layout >= CURRENT_LAYOUT) return 0;
  let moved = 0;
  let moves: Array<Deno.KvEntry<StoredEvent>> = [];
  let bytes = 0;
  const flush = async () => {
    if (moves.length === 0) return;
    const op = kv.atomic();
    for (const entry of moves) {
      op.set(eventKey(entry.value.team, String(entry.key[1])), entry.value);
      op.delete(entry.key);
    }
    await retryLocked(() => op.commit());
    moved += moves.length;
    moves = [];
    bytes = 0;
  };
  for await (const entry of kv.list<StoredEvent>({ prefix: EVENTS_PREFIX }, { batchSize: 500 })) {
    // Layout 1 keys have two parts; keys already moved (three parts) are skipped.
    if (entry.key.length !== 2) continue;
    const size = typeof entry.value.envelope === "string"
      ? entry.value.envelope.length * 2
      : entry.value.envelope.byteLength;
    if (moves.length >= MAX_MOVES_PER_COMMIT || bytes + size > MAX_BYTES_PER_COMMIT) await flush();
    moves.push(entry);
    bytes += size;
  }
  await flush();
  await retryLocked(() => kv.set(STORE_LAYOUT, CURRENT_LAYOUT));
  return moved;
}
