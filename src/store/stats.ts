/**
 * Outbox counters, kept in one KV value that every outbox commit reads, checks and rewrites, so
 * they always match the entries (pure helpers; the store does the I/O).
 */
import type { OutboxState } from "./keys.ts";
import type { StoredRecord } from "./records.ts";

export const RETRY_BUCKETS = ["0 retries", "1-3 retries", "4+ retries"] as const;
export type RetryBucket = typeof RETRY_BUCKETS[number];

export interface OutboxStats {
  count: Record<OutboxState, number>;
  /** Bytes per state; the synced log's are not kept here (0): sum the log to know them. */
  bytes: Record<OutboxState, number>;
  /** Pending or held events evicted because the outbox was full (ever). */
  evicted: number;
  /** Pending events per event type. */
  pending_types: Record<string, number>;
  /** Pending events per retry bucket. */
  pending_retries: Record<RetryBucket, number>;
}

/** The value under `HEAD_KEY`. */
export interface Head {
  /** The last Lamport value handed out (0 before the first event). */
  clock: number;
  stats: OutboxStats;
  /** The pages of the synced log kept, oldest first (see keys.ts `syncedPageKey`). */
  synced_pages?: SyncedPageRef[];
}

export interface SyncedPageRef {
  page: number;
  /** Events on the page. */
  count: number;
  /** Its oldest events that are no longer part of the log (trimmed, not yet deleted). */
  skip: number;
  /** Bytes of records on the page (estimated as a commit counts them). */
  bytes?: number;
}

export function emptyHead(): Head {
  return { clock: 0, stats: emptyStats(), synced_pages: [] };
}

export function emptyStats(): OutboxStats {
  return {
    count: { pending: 0, held: 0, synced: 0, dead: 0 },
    bytes: { pending: 0, held: 0, synced: 0, dead: 0 },
    evicted: 0,
    pending_types: {},
    pending_retries: { "0 retries": 0, "1-3 retries": 0, "4+ retries": 0 },
  };
}

export function retryBucket(attempts: number): RetryBucket {
  if (attempts <= 0) return "0 retries";
  return attempts <= 3 ? "1-3 retries" : "4+ retries";
}

/** Counts `record` in (`sign` 1) or out of (`sign` -1) `state`, in place. */
export function tally(
  stats: OutboxStats,
  state: OutboxState,
  record: Pick<StoredRecord, "event_type" | "bytes" | "attempts">,
  sign: 1 | -1,
): void {
  stats.count[state] += sign;
  stats.bytes[state] += sign * record.bytes;
  if (state !== "pending") return;
  const type = record.event_type;
  const typeCount = (stats.pending_types[type] ?? 0) + sign;
  if (typeCount > 0) stats.pending_types[type] = typeCount;
  else delete stats.pending_types[type];
  stats.pending_retries[retryBucket(record.attempts)] += sign;
}
