/**
 * Key layout of the user store for the clock and the outbox. Outbox entries are keyed by their
 * Lamport value, which is unique per store and grows in commit order, so listing a state's
 * prefix yields its events FIFO.
 */

/** Where an event is: `pending` (to be sent), `held` (no project: never sent), `synced`
 * (recently delivered, a bounded log), `dead` (quarantined after repeated rejections). */
export const STATES = ["pending", "held", "synced", "dead"] as const;
export type OutboxState = typeof STATES[number];

/**
 * The head of the store ({@link Head}): the Lamport clock of this user home and the outbox
 * counters, in one value that every outbox commit checks and rewrites.
 */
export const HEAD_KEY: Deno.KvKey = ["outbox_meta", "head"];

/** One outbox entry of a queue state (`pending`, `held`, `dead`), keyed by its Lamport value. */
export function entryKey(state: Exclude<OutboxState, "synced">, seq: number): Deno.KvKey {
  return ["outbox", state, seq];
}

/**
 * One page of the synced log (`SyncedPage` in records.ts): the events one commit delivered, in
 * one value, so delivering an event costs no write of its own. Pages are numbered in the order
 * they were written; the head lists the pages kept.
 */
export function syncedPageKey(page: number): Deno.KvKey {
  return ["outbox", "synced", page];
}

export function statePrefix(state: OutboxState): Deno.KvKey {
  return ["outbox", state];
}

/** event_id → where a pending, held or dead entry is (`IndexEntry`); also the dedup check. A
 * delivered event leaves the index. */
export function indexKey(eventId: string): Deno.KvKey {
  return ["outbox_id", eventId];
}

/** The delivery lease (`Lease` in outbox.ts): one uploader per user store at a time. */
export const LEASE_KEY: Deno.KvKey = ["sync", "lease"];

/** Sync health (`SyncHealth` in outbox.ts): last success, last failure, consecutive failures. */
export const HEALTH_KEY: Deno.KvKey = ["sync", "health"];

/**
 * An event of spec-kitty's offline queue that kittify took over (`sync import-spec-kitty`):
 * `{at, event_id}`, kept after the event was delivered, so importing again adds nothing.
 */
export function importMarkKey(eventId: string): Deno.KvKey {
  return ["import_marks", "spec_kitty", eventId];
}
