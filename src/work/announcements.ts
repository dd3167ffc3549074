/**
 * What the work commands have announced already, kept in the user store so that re-running
 * `tasks finalize` or `accept` does not announce the same thing twice. A key is claimed with an
 * atomic check-and-set before its event is emitted, so concurrent runs never both announce it;
 * a claim whose event could not be stored is released again.
 */
import { retryLocked } from "../store/retry.ts";

type Key = Deno.KvKey;

/** A work package whose WPCreated was stored. */
export function announcedWpKey(project: string, feature: string, wpId: string): Key {
  return ["work", "announced", project, feature, wpId];
}

/** A feature whose FeatureCompleted was stored. */
export function completedFeatureKey(project: string, feature: string): Key {
  return ["work", "completed", project, feature];
}

/** Claims `key`; false when it is claimed already. */
export async function claim(kv: Deno.Kv, key: Key): Promise<boolean> {
  const result = await retryLocked(() =>
    kv.atomic().check({ key, versionstamp: null }).set(key, { at: Date.now() }).commit()
  );
  return result.ok;
}

export async function release(kv: Deno.Kv, key: Key): Promise<void> {
  await retryLocked(() => kv.delete(key));
}

export async function isClaimed(kv: Deno.Kv, key: Key): Promise<boolean> {
  return (await kv.get(key)).versionstamp !== null;
}
