/**
 * Deno KV's per-commit and per-read limits, and the budgets kittify keeps within them. These are
 * properties of the user store, unrelated to the sync protocol's batch limits
 * (`src/protocol/limits.ts`).
 */

/** Checks one atomic commit may carry (KV allows 100). */
export const KV_MAX_CHECKS = 100;
/** Mutations one atomic commit may carry (KV allows 1,000). */
export const KV_MAX_MUTATIONS = 1000;
/** Bytes of keys and values one commit may write (KV allows 800 KiB): stay well below. */
export const KV_COMMIT_BYTES_BUDGET = 600 * 1024;
/** Keys one `getMany` may read (KV allows 10). */
export const KV_GET_MANY_KEYS = 10;

/**
 * Appends per commit: one check for the head, one dedup check per event and one more per guard
 * must fit {@link KV_MAX_CHECKS}, with room to spare.
 */
export const APPEND_MAX_CHECKS = 96;
