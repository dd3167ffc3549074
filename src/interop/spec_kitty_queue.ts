/**
 * spec-kitty's offline queue, `<home>/queue.db`: an SQLite table `queue` (id, event_id UNIQUE,
 * event_type, data = the event's JSON, timestamp = when it was queued, retry_count), drained by
 * spec-kitty in the order (timestamp, id). Read with Deno's built-in `node:sqlite`; written only
 * to remove rows that were imported, in one transaction.
 */
import { DatabaseSync } from "node:sqlite";
import { UserError } from "../common/errors.ts";

export interface QueuedRow {
  id: number;
  event_id: string;
  /** The event's JSON, as spec-kitty queued it. */
  data: string;
  retry_count: number;
}

export interface SpecKittyQueue {
  /** Every queued row, in spec-kitty's FIFO order. */
  rows(): QueuedRow[];
  /** Deletes these rows (one transaction); returns how many were deleted. */
  remove(ids: readonly number[]): number;
  close(): void;
}

export function openSpecKittyQueue(path: string, options: { write: boolean }): SpecKittyQueue {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: !options.write });
    // spec-kitty may be writing at the same moment: wait for its lock rather than fail.
    db.exec("PRAGMA busy_timeout = 5000");
    const table = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'queue'",
    ).get();
    if (!table) throw new Error("it has no table `queue`");
  } catch (err) {
    throw new UserError(`cannot read spec-kitty's queue ${path}: ${(err as Error).message}`, {
      hint: "--from names spec-kitty's queue.db (default: <home>/queue.db)",
    });
  }
  return {
    rows: () =>
      db.prepare(
        "SELECT id, event_id, data, COALESCE(retry_count, 0) AS retry_count FROM queue " +
          "ORDER BY timestamp ASC, id ASC",
      ).all().map((row) => ({
        id: Number(row.id),
        event_id: String(row.event_id),
        data: String(row.data),
        retry_count: Number(row.retry_count),
      })),
    remove: (ids) => {
      if (ids.length === 0) return 0;
      const remove = db.prepare("DELETE FROM queue WHERE id = ?");
      let removed = 0;
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const id of ids) removed += Number(remove.run(id).changes);
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
      return removed;
    },
    close: () => db.close(),
  };
}
