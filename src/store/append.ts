/**
 * Stores a batch of new events in ONE atomic commit: each event gets the next Lamport value,
 * the clock and the counters advance in the same commit, already-known event ids are skipped,
 * and a full state evicts its oldest entries (counted). Concurrent writers, in this or other
 * processes, make the commit's checks fail; it is then rebuilt from fresh reads and retried.
 */
import type { Envelope } from "../events/types.ts";
import { entryKey, HEAD_KEY, indexKey, type OutboxState, statePrefix } from "./keys.ts";
import { KV_GET_MANY_KEYS } from "./kv_limits.ts";
import { encodeRecord, type IndexEntry, type StoredRecord } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head, type OutboxStats, tally } from "./stats.ts";

/** A new event and the state it enters (`pending`, or `held` when it has no project). */
export interface AppendItem {
  event: Envelope;
  state: "pending" | "held";
  bytes: number;
  /**
   * Store the event only if this check still holds, and set the guard's key (a "this was
   * announced" mark) in the same commit: the mark exists exactly when the event was stored.
   */
  guard?: Deno.AtomicCheck;
  /**
   * A key deleted by the commit that stores the event (a write-ahead intent this event fulfils).
   * When the event turns out to be known already, the caller deletes it.
   */
  settle?: Deno.KvKey;
  /**
   * Keep the event's own Lamport value (an event imported from another tool on this node): it
   * still gets the next place in the order, and the clock moves past its value, so events
   * stored later sort after it.
   */
  keepLamport?: boolean;
}

export interface AppendOutcome {
  /** `stored`: committed; `duplicate`: the event id was already known; `evicted`: the batch
   * alone overflowed the capacity and this (older) event was dropped on arrival; `blocked`:
   * its guard no longer held (someone else set the mark first), nothing was stored. */
  status: "stored" | "duplicate" | "evicted" | "blocked";
  /** The stored event with its Lamport value (null unless `stored`). */
  event: Envelope | null;
}

export interface AppendResult {
  outcomes: AppendOutcome[];
  /** Entries evicted by this commit (including any `evicted` outcomes). */
  evicted: number;
}

/** Checks an item adds to its commit: its dedup check, plus its guard if it has one. */
export function checksOf(item: AppendItem): number {
  return item.guard ? 2 : 1;
}
/** Evictions per commit; a capacity lowered far below the backlog converges over commits. */
const MAX_EVICTIONS = 200;
const MAX_ROUNDS = 10_000;

/**
 * Remembers the head after each commit, so the next commit of this process can skip reading
 * it: if another writer got in between, the commit's check fails and the head is re-read.
 */
export interface HeadCache {
  head: Deno.KvEntryMaybe<Head> | null;
}

function readHead(kv: Deno.Kv): Promise<Deno.KvEntryMaybe<Head>> {
  return retryLocked(() => kv.get<Head>(HEAD_KEY));
}

export async function appendBatch(
  kv: Deno.Kv,
  items: readonly AppendItem[],
  capacity: number,
  options: { now?: number; cache?: HeadCache } = {},
): Promise<AppendResult> {
  const now = options.now ?? Date.now();
  const cache = options.cache ?? { head: null };
  let known = new Set<string>();
  let blocked = await failedGuards(kv, items);
  for (let round = 0;; round++) {
    const headEntry = cache.head ?? await readHead(kv);
    cache.head = null;
    const plan = await planCommit(kv, items, known, blocked, capacity, {
      ...(headEntry.value ?? emptyHead()),
      now,
    });
    if (plan.stored.length === 0 && plan.evictions.length === 0 && plan.dropped.size === 0) {
      cache.head = headEntry;
      return { outcomes: plan.outcomes, evicted: 0 };
    }
    const op = kv.atomic().check(headEntry);
    for (const { key, record, seq, state, guard, settle } of plan.stored) {
      if (settle) op.delete(settle);
      op.check({ key: indexKey(record.event_id), versionstamp: null });
      op.set(key, record);
      op.set(indexKey(record.event_id), { state, seq } satisfies IndexEntry);
      if (guard) op.check(guard).set(guard.key, { at: now, event_id: record.event_id });
    }
    for (const evicted of plan.evictions) {
      op.delete(evicted.key);
      op.delete(indexKey(evicted.value.event_id));
    }
    const head: Head = {
      ...(headEntry.value ?? emptyHead()),
      clock: plan.clock,
      stats: plan.stats,
    };
    op.set(HEAD_KEY, head);
    const result = await retryLocked(() => op.commit());
    if (result.ok) {
      cache.head = { key: HEAD_KEY, value: head, versionstamp: result.versionstamp };
      return { outcomes: plan.outcomes, evicted: plan.evictions.length + plan.dropped.size };
    }
    if (round >= MAX_ROUNDS) throw new Error("could not store events: too much contention");
    known = await knownIds(kv, items);
    blocked = await failedGuards(kv, items);
    if (round > 2) await new Promise((r) => setTimeout(r, Math.random() * Math.min(round, 20)));
  }
}

interface Snapshot extends Head {
  now: number;
}

interface Planned {
  key: Deno.KvKey;
  seq: number;
  state: OutboxState;
  record: StoredRecord;
  guard?: Deno.AtomicCheck;
  settle?: Deno.KvKey;
}

async function planCommit(
  kv: Deno.Kv,
  items: readonly AppendItem[],
  known: Set<string>,
  blocked: Set<number>,
  capacity: number,
  snap: Snapshot,
) {
  const stats = structuredClone(snap.stats);
  const seen = new Set<string>();
  const guarded = new Set<string>();
  // Indexes of the items to store: not known to the store, first occurrence in the batch, and
  // (for guarded items) the first to guard its key, since all checks of one commit are made
  // against the state before it.
  const fresh = items.flatMap((item, i) => {
    const id = item.event.event_id;
    if (blocked.has(i) || known.has(id) || seen.has(id)) return [];
    if (item.guard) {
      const guardId = keyId(item.guard.key);
      if (guarded.has(guardId)) {
        blocked.add(i);
        return [];
      }
      guarded.add(guardId);
    }
    seen.add(id);
    return [i];
  });
  const { evictions, dropped } = await planEvictions(kv, items, fresh, capacity, stats);
  stats.evicted += evictions.length + dropped.size;
  let clock = snap.clock;
  let kept = 0;
  const stored: Planned[] = [];
  const storedEvents = new Map<number, Envelope>();
  for (const i of fresh) {
    if (dropped.has(i)) continue;
    const item = items[i];
    clock += 1;
    if (!Number.isSafeInteger(clock + 1)) throw new Error("the Lamport clock is exhausted");
    const event = item.keepLamport ? item.event : { ...item.event, lamport_clock: clock };
    if (item.keepLamport) kept = Math.max(kept, item.event.lamport_clock);
    const record = encodeRecord(event, snap.now);
    tally(stats, item.state, record, 1);
    stored.push({
      key: entryKey(item.state, clock),
      seq: clock,
      state: item.state,
      record,
      guard: item.guard,
      settle: item.settle,
    });
    storedEvents.set(i, event);
  }
  clock = Math.max(clock, kept);
  const outcomes = items.map((_, i): AppendOutcome => {
    const event = storedEvents.get(i);
    if (event) return { status: "stored", event };
    if (blocked.has(i)) return { status: "blocked", event: null };
    return { status: dropped.has(i) ? "evicted" : "duplicate", event: null };
  });
  return { clock, stats, stored, evictions, dropped, outcomes };
}

/**
 * Makes room for the fresh items of each state: the oldest stored entries go first (their
 * counts are taken out of `stats`); if the batch alone overflows, its oldest items are dropped.
 * At most {@link MAX_EVICTIONS} per commit: after the capacity was lowered far below the
 * backlog, every later commit evicts more until the state fits again.
 */
async function planEvictions(
  kv: Deno.Kv,
  items: readonly AppendItem[],
  fresh: number[],
  capacity: number,
  stats: OutboxStats,
) {
  const dropped = new Set<number>();
  const evictions: Array<Deno.KvEntry<StoredRecord>> = [];
  for (const state of ["pending", "held"] as const) {
    const incoming = fresh.filter((i) => items[i].state === state);
    const overflow = stats.count[state] + incoming.length - capacity;
    if (overflow <= 0) continue;
    const fromStore = Math.min(overflow, stats.count[state], MAX_EVICTIONS);
    const oldest = kv.list<StoredRecord>({ prefix: statePrefix(state) }, { limit: fromStore });
    for await (const entry of oldest) {
      evictions.push(entry);
      tally(stats, state, entry.value, -1);
    }
    // Only a batch larger than the capacity itself loses its own (oldest) items.
    for (const i of incoming.slice(0, Math.max(0, incoming.length - capacity))) dropped.add(i);
  }
  return { evictions, dropped };
}

/** The event ids of `items` that the store already knows. */
function knownIds(kv: Deno.Kv, items: readonly AppendItem[]): Promise<Set<string>> {
  return knownEventIds(kv, items.map((item) => item.event.event_id));
}

/** Which of `ids` the store knows, in any state. */
export async function knownEventIds(kv: Deno.Kv, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += KV_GET_MANY_KEYS) {
    const chunk = ids.slice(i, i + KV_GET_MANY_KEYS);
    const entries = await retryLocked(() => kv.getMany(chunk.map((id) => indexKey(id))));
    entries.forEach((entry, j) => {
      if (entry.versionstamp !== null) known.add(chunk[j]);
    });
  }
  return known;
}

/** Indexes of the items whose guard no longer holds (the guarded key changed). */
async function failedGuards(kv: Deno.Kv, items: readonly AppendItem[]): Promise<Set<number>> {
  const blocked = new Set<number>();
  const guarded = items.flatMap((item, i) => item.guard ? [{ i, guard: item.guard }] : []);
  for (let c = 0; c < guarded.length; c += KV_GET_MANY_KEYS) {
    const chunk = guarded.slice(c, c + KV_GET_MANY_KEYS);
    const entries = await retryLocked(() => kv.getMany(chunk.map(({ guard }) => guard.key)));
    entries.forEach((entry, j) => {
      if (entry.versionstamp !== chunk[j].guard.versionstamp) blocked.add(chunk[j].i);
    });
  }
  return blocked;
}

/** A string that identifies a KV key (for sets of keys). */
function keyId(key: Deno.KvKey): string {
  return key.map((part) =>
    part instanceof Uint8Array
      ? `u8:${Array.from(part).join(",")}`
      : `${typeof part}:${String(part)}`
  ).join("\u0000");
}
