/**
 * What the work commands have announced already, kept in the user store so that re-running
 * `tasks finalize` or `accept` does not announce the same thing twice. A mark is set by the
 * outbox in the same atomic commit that stores its event (`emitGuarded`), so a mark never exists
 * without its event, and concurrent runs never both announce the same thing.
 */

type Key = Deno.KvKey;

/** A work package whose WPCreated was stored. */
export function announcedWpKey(project: string, feature: string, wpId: string): Key {
  return ["work", "announced", project, feature, wpId];
}

/** A feature whose FeatureCompleted was stored. */
export function completedFeatureKey(project: string, feature: string): Key {
  return ["work", "completed", project, feature];
}

/** The guard of a mark that must not exist yet. */
export function unclaimed(key: Key): Deno.AtomicCheck {
  return { key, versionstamp: null };
}
