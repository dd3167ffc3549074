/** Read-only queries on the outbox: they never write, so `sync status` can use them safely. */
import { HEAD_KEY, type OutboxState, statePrefix } from "./keys.ts";
import type { ListedEntry } from "./outbox.ts";
import { decodeRecord, type StoredRecord } from "./records.ts";
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
  const out: ListedEntry[] = [];
  for await (const entry of kv.list<StoredRecord>({ prefix: statePrefix(state) }, { limit })) {
    out.push({ state, seq: entry.key[2] as number, record: decodeRecord(entry.value) });
  }
  return out;
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
