/**
 * Key layout of the user store for the clock and the outbox. Outbox entries are keyed by their
 * Lamport value, which is unique per store and grows in commit order, so listing a state's
 * prefix yields its events FIFO.
 */

/** Where an event is: `pending` (to be sent), `held` (no project: never sent), `synced`
 * (recently delivered, a bounded log), `dead` (quarantined after repeated rejections). */
export const STATES = ["pending", "held", "synced", "dead"] as const;
export type OutboxState = typeof STATES[number];

export function isOutboxState(value: unknown): value is OutboxState {
  return typeof value === "string" && (STATES as readonly string[]).includes(value);
}

/** The Lamport counter of this user home (a plain number). */
export const CLOCK_KEY: Deno.KvKey = ["clock", "lamport"];

/** Counters of the outbox ({@link OutboxStats}), updated in every outbox commit. */
export const STATS_KEY: Deno.KvKey = ["outbox_meta", "stats"];

/** One outbox entry. */
export function entryKey(state: OutboxState, seq: number): Deno.KvKey {
  return ["outbox", state, seq];
}

export function statePrefix(state: OutboxState): Deno.KvKey {
  return ["outbox", state];
}

/** event_id → where the entry is ({@link IndexEntry}); also the dedup check. */
export function indexKey(eventId: string): Deno.KvKey {
  return ["outbox_id", eventId];
}
