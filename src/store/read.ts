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

/** An entry as stored (its event still UTF-8 JSON), for output that copies it as it is. */
export interface StoredEntry {
  state: OutboxState;
  seq: number;
  record: StoredRecord;
}

/**
 * Entries of several states merged oldest first (by place in the order), at most `limit`, one at
 * a time: memory stays flat however many events are stored (each state is read in pages).
 */
export async function* streamStoredStates(
  kv: Deno.Kv,
  states: readonly OutboxState[],
  limit = Infinity,
): AsyncGenerator<StoredEntry> {
  const sources = states.map((state) => storedEntries(kv, state)[Symbol.asyncIterator]());
  const heads = await Promise.all(sources.map((source) => source.next()));
  for (let emitted = 0; emitted < limit; emitted++) {
    let best = -1;
    heads.forEach((head, i) => {
      if (!head.done && (best === -1 || head.value.seq < heads[best].value!.seq)) best = i;
    });
    if (best === -1) return;
    yield heads[best].value as StoredEntry;
    heads[best] = await sources[best].next();
  }
}

/** {@link streamStoredStates} with each event decoded. */
export async function* streamStates(
  kv: Deno.Kv,
  states: readonly OutboxState[],
  limit = Infinity,
): AsyncGenerator<ListedEntry> {
  for await (const { state, seq, record } of streamStoredStates(kv, states, limit)) {
    yield { state, seq, record: decodeRecord(record) };
  }
}

/** One state's entries, oldest first, read a page at a time. */
async function* storedEntries(kv: Deno.Kv, state: OutboxState): AsyncGenerator<StoredEntry> {
  if (state === "synced") {
    // Bounded: the synced log keeps at most SYNCED_LOG_LIMIT events.
    const refs = (await readHead(kv)).synced_pages ?? [];
    const skip = new Map(refs.map((r) => [r.page, r.skip]));
    for await (const entry of kv.list<SyncedPage>({ prefix: statePrefix("synced") })) {
      const from = skip.get(entry.key[2] as number);
      if (from === undefined) continue; // deleted by a commit after the head was read
      for (let i = from; i < entry.value.records.length; i++) {
        yield { state, seq: entry.value.seqs[i], record: entry.value.records[i] };
      }
    }
    return;
  }
  const entries = kv.list<StoredRecord>({ prefix: statePrefix(state) }, { batchSize: 1000 });
  for await (const entry of entries) {
    yield { state, seq: entry.key[2] as number, record: entry.value };
  }
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
