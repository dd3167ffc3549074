/** Read-only queries on the outbox: they never write, so `sync status` can use them safely. */
import { HEAD_KEY, type OutboxState, statePrefix } from "./keys.ts";
import type { ListedEntry } from "./outbox.ts";
import { decodeRecord, type StoredRecord, type SyncedPage } from "./records.ts";
import { emptyHead, type Head, type OutboxStats } from "./stats.ts";

export type { ListedEntry };

/** The Lamport clock and the outbox counters. */
export async function readHead(kv: Deno.Kv): Promise<Head> {
  return (await kv.get<Head>(HEAD_KEY)).value ?? emptyHead();
}

export async function readStats(kv: Deno.Kv): Promise<OutboxStats> {
  return (await readHead(kv)).stats;
}

export async function readClock(kv: Deno.Kv): Promise<number> {
  return (await readHead(kv)).clock;
}

/** Entries of one state, oldest first (at most `limit`). */
export async function listState(
  kv: Deno.Kv,
  state: OutboxState,
  limit?: number,
): Promise<ListedEntry[]> {
  if (state === "synced") return await listSynced(kv, limit);
  const out: ListedEntry[] = [];
  for await (const entry of kv.list<StoredRecord>({ prefix: statePrefix(state) }, { limit })) {
    out.push({ state, seq: entry.key[2] as number, record: decodeRecord(entry.value) });
  }
  return out;
}

/** The synced log, oldest first: the pages the head lists, without their trimmed events. */
async function listSynced(kv: Deno.Kv, limit?: number): Promise<ListedEntry[]> {
  const refs = (await readHead(kv)).synced_pages ?? [];
  const skip = new Map(refs.map((r) => [r.page, r.skip]));
  const out: ListedEntry[] = [];
  for await (const entry of kv.list<SyncedPage>({ prefix: statePrefix("synced") })) {
    const page = entry.key[2] as number;
    const from = skip.get(page);
    if (from === undefined) continue; // deleted by a commit after the head was read
    entry.value.records.slice(from).forEach((record, i) => {
      out.push({ state: "synced", seq: entry.value.seqs[from + i], record: decodeRecord(record) });
    });
  }
  return limit === undefined ? out : out.slice(0, limit);
}

/** Entries of several states merged oldest first (by Lamport value), at most `limit`. */
export async function listStates(
  kv: Deno.Kv,
  states: readonly OutboxState[],
  limit?: number,
): Promise<ListedEntry[]> {
  const lists = await Promise.all(states.map((state) => listState(kv, state, limit)));
  const merged = lists.flat().sort((a, b) => a.seq - b.seq);
  return limit === undefined ? merged : merged.slice(0, limit);
}
