/**
 * Deno KV (local SQLite) raises `TypeError: database is locked` when several processes write at
 * once. Every KV write goes through `retryLocked`, which retries that error with a short
 * jittered exponential backoff (DESIGN.md §2).
 */

export function isDatabaseLocked(err: unknown): boolean {
  return err instanceof Error && /database is (locked|busy)/i.test(err.message);
}

const MAX_ATTEMPTS = 200;
const BASE_DELAY_MS = 2;
const MAX_DELAY_MS = 100;

export async function retryLocked<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!isDatabaseLocked(err) || attempt >= MAX_ATTEMPTS) throw err;
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 6));
      await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * ceiling / 2));
    }
  }
}
