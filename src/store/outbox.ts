/**
 * The outbox: every operation event delivery needs, behind one interface. `KvOutbox` (Deno KV, on
 * a file or `:memory:`) implements it; `tests/store/outbox_conformance.ts` is the one suite every
 * implementation must pass.
 *
 * Events enter as `pending` (or `held`, never sent) with the next Lamport value, which is also
 * their place in the FIFO order (an event imported from spec-kitty keeps its own value and takes
 * the next place). Delivery takes the oldest pending entries, sends them, and hands
 * the server's verdicts back: `synced` (moved to the bounded synced log), `strike` (a rejection:
 * the event stays pending with its reason; at {@link MAX_STRIKES} it becomes a dead letter) or
 * `dead` (undeliverable at once). An event without a verdict is left untouched. One uploader per
 * store at a time holds the delivery lease; sync health is kept beside it.
 */
import type { AppendItem, AppendOutcome } from "./append.ts";
import type { OutboxState } from "./keys.ts";
import type { OutboxRecord } from "./records.ts";
import type { Head } from "./stats.ts";

/** Default `[sync] max_queue_size`: pending (and, separately, held) events kept at most. */
export const DEFAULT_CAPACITY = 100_000;
/** Rejections after which an event becomes a dead letter. */
export const MAX_STRIKES = 5;
/** Delivered events kept in the synced log (the most recent). */
export const SYNCED_LOG_LIMIT = 1_000;

/** A pending event as delivery sees it: its place in the order and its stored JSON. */
export interface PendingEntry {
  /** Its place in the FIFO order (its Lamport value, unless it was imported with its own). */
  seq: number;
  event_id: string;
  event_type: string;
  /** The envelope exactly as stored (UTF-8 JSON), ready to go into a request body. */
  json: Uint8Array;
  bytes: number;
  /** Rejections so far. */
  attempts: number;
}

/** What the server said about one delivered event. */
export type Verdict =
  /** Stored, or known already (duplicate): it leaves the pending state. */
  | { kind: "synced" }
  /** Rejected: one poison strike with the reason. */
  | { kind: "strike"; reason: string }
  /** Undeliverable whatever happens (e.g. too large for the server on its own). */
  | { kind: "dead"; reason: string };

export interface DeliveryResult {
  seq: number;
  event_id: string;
  /** The entry's `attempts` when it was taken: a verdict about an older or newer state of the
   * entry (applied already by someone else) is stale. */
  attempts: number;
  verdict: Verdict;
}

export interface ApplyReport {
  synced: number;
  /** Struck and still pending. */
  struck: number;
  /** Moved to the dead letters (by a fifth strike or a `dead` verdict). */
  dead: number;
  /** Results for events that were no longer pending (applied already): ignored. */
  stale: number;
  /** The events that became dead letters. */
  dead_ids: string[];
  /** The events whose results were stale. */
  stale_ids: string[];
}

export interface ListedEntry {
  state: OutboxState;
  seq: number;
  record: OutboxRecord;
}

/** Which dead letters an operation applies to. */
export type DeadLetterSelection = { ids: readonly string[] } | { all: true };

export interface DeadLetterReport {
  /** The dead letters the operation applied to, oldest first. */
  done: Array<{ event_id: string; seq: number; event_type: string }>;
  /** Requested ids that are not dead letters. */
  missing: string[];
}

/** Who holds the delivery lease. */
export interface LeaseHolder {
  /** Unique per process (and per runtime). */
  owner: string;
  pid: number;
  hostname: string;
  /** What the holder is doing: `sync now`, `exit delivery`, `sync watch`. */
  purpose: string;
}

export interface Lease extends LeaseHolder {
  /** ms since the epoch after which the lease lapses unless renewed. */
  expires_at: number;
}

export type LeaseAttempt = { acquired: true } | { acquired: false; holder: Lease };

/** The persisted state of delivery, shown by `sync status`. */
export interface SyncHealth {
  /** ISO instants. */
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_failure: { at: string; reason: string; category: string } | null;
  /** Failed delivery attempts since the last success. */
  consecutive_failures: number;
}

export function emptyHealth(): SyncHealth {
  return {
    last_attempt_at: null,
    last_success_at: null,
    last_failure: null,
    consecutive_failures: 0,
  };
}

/** One attempt's outcome, for {@link Outbox.recordAttempt}. */
export type AttemptOutcome =
  | { ok: true; at: Date }
  | { ok: false; at: Date; reason: string; category: string };

export interface Outbox {
  /** Pending (and, separately, held) events kept at most; the oldest are evicted beyond. */
  readonly capacity: number;

  /** Stores one event durably, assigning its Lamport value in the same commit. */
  append(item: AppendItem): Promise<AppendOutcome & { evicted: number }>;

  /**
   * The oldest pending entries with a place after `after` (default: from the start): at most
   * `maxEvents`, and at most `maxBytes` of JSON unless the first entry alone is larger.
   */
  takePending(
    options: { after?: number; maxEvents: number; maxBytes: number },
  ): Promise<PendingEntry[]>;

  /**
   * Applies the server's verdicts in atomic commits: each result is applied exactly once (a
   * result for an event that is no longer pending, or no longer as it was taken, is `stale`),
   * whatever happens to the process.
   */
  applyResults(results: readonly DeliveryResult[]): Promise<ApplyReport>;

  /** Entries of these states, merged oldest first (at most `limit`). */
  list(states: readonly OutboxState[], limit?: number): Promise<ListedEntry[]>;

  /**
   * Moves dead letters back to pending with their strikes reset. Each goes back to its original
   * place in the order (its Lamport value), ahead of every event stored after it.
   */
  requeueDead(selection: DeadLetterSelection): Promise<DeadLetterReport>;

  /** Deletes dead letters for good. */
  dropDead(selection: DeadLetterSelection): Promise<DeadLetterReport>;

  /** Which of these event ids the outbox knows, in any state (dedup is by event id). */
  knownEvents(eventIds: readonly string[]): Promise<Set<string>>;

  /** The Lamport clock and the counters. */
  head(): Promise<Head>;

  /**
   * Lamport's receive rule: an event seen from elsewhere with clock `value` raises this store's
   * clock to at least `value`, so everything stored after it sorts after it. Never lowers it.
   */
  observeClock(value: number): Promise<void>;

  /**
   * Takes (or renews, for the same owner) the delivery lease for `ttlMs`; fails while another
   * unexpired holder has it.
   */
  acquireLease(holder: LeaseHolder, ttlMs: number): Promise<LeaseAttempt>;

  /** Extends the lease while `holder` still holds it; false when it lost it. */
  renewLease(holder: LeaseHolder, ttlMs: number): Promise<boolean>;

  /**
   * Releases the lease if `owner` still holds it. With an outcome, the end of a delivery run:
   * the attempt is recorded in the sync health in the same commit (recorded even when the lease
   * was lost meanwhile).
   */
  releaseLease(owner: string, outcome?: AttemptOutcome): Promise<void>;

  /** The current lease, or null (none, or lapsed). */
  currentLease(): Promise<Lease | null>;

  health(): Promise<SyncHealth>;

  /** Records a delivery attempt in the sync health. */
  recordAttempt(outcome: AttemptOutcome): Promise<SyncHealth>;
}
