/**
 * What a `sync now` run comes to (pure): the counts, the error categories of the failed events
 * with a suggested action each (reference §8.3), and the failure report written by `--report`.
 */
import type { ErrorCategory } from "./error_category.ts";
import type { DeliveryFailure, DrainReport, StopReason } from "./uploader.ts";

export const SUGGESTED_ACTIONS: Record<ErrorCategory, string> = {
  authorization:
    "the project belongs to another team on this server: check `kittify auth status` and who " +
    "owns the project",
  schema_mismatch: "run `kittify sync diagnose` to inspect invalid events",
  auth_expired: "run `kittify auth login` to refresh credentials",
  server_error: "retry later or check the server's status",
  unknown: "inspect the failure report for details: --report <file.json>",
};

export interface CategoryCount {
  category: ErrorCategory;
  count: number;
  action: string;
}

export interface SyncNowSummary {
  synced: number;
  duplicates: number;
  /** Events the server rejected in this run (strikes and dead letters together). */
  failed: number;
  /** Events that became dead letters in this run. */
  dead: number;
  /** Events the server left out of its answers (still pending). */
  unanswered: number;
  /** Pending events left after the run. */
  remaining: number;
  /** Events kept on this machine that are never sent (emitted outside a project). */
  held: number;
  /** Dead letters in the store after the run. */
  dead_letters: number;
  categories: CategoryCount[];
  /** Why the run stopped before the queue was empty, if it did. */
  stopped: StopReason | null;
  failures: DeliveryFailure[];
}

export function summarize(
  report: DrainReport,
  after: { pending: number; held: number; dead: number },
): SyncNowSummary {
  const counts = new Map<ErrorCategory, number>();
  for (const f of report.failures) counts.set(f.category, (counts.get(f.category) ?? 0) + 1);
  const categories = [...counts]
    .map(([category, count]) => ({ category, count, action: SUGGESTED_ACTIONS[category] }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  return {
    synced: report.synced,
    duplicates: report.duplicates,
    failed: report.failures.length,
    dead: report.dead,
    unanswered: report.unanswered,
    remaining: after.pending,
    held: after.held,
    dead_letters: after.dead,
    categories,
    stopped: report.stopped,
    failures: report.failures,
  };
}

/**
 * Strict mode: anything rejected, anything the server did not answer for, or delivery stopped
 * with events left, is a failure.
 */
export function strictFailure(summary: SyncNowSummary): boolean {
  return summary.failed > 0 || summary.unanswered > 0 ||
    (summary.stopped !== null && summary.remaining > 0);
}

/** The `--report` file (reference §8.3): the failures of this run. */
export function failureReport(summary: SyncNowSummary, at: Date) {
  return {
    generated_at: at.toISOString(),
    summary: {
      total_events: summary.synced + summary.duplicates + summary.failed,
      synced: summary.synced,
      duplicates: summary.duplicates,
      failed: summary.failed,
      dead: summary.dead,
      remaining: summary.remaining,
      categories: Object.fromEntries(summary.categories.map((c) => [c.category, c.count])),
      stopped: summary.stopped?.reason ?? null,
    },
    failures: summary.failures.map(({ event_id, error, category, dead }) => ({
      event_id,
      error,
      category,
      dead,
    })),
  };
}
