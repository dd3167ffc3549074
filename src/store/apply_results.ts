/**
 * Applying the server's verdicts to the KV outbox. Every commit checks the head, which every
 * outbox commit rewrites, so a commit applies its results only to entries exactly as they were
 * read: a result is applied once or not at all, and a result for an event that is no longer
 * pending (applied by an earlier commit) is counted `stale` and ignored. Synced events move to
 * the synced log, which is trimmed to its newest {@link SYNCED_LOG_LIMIT} in the same commit.
 */
import { entryKey, HEAD_KEY, indexKey, type OutboxState, statePrefix } from "./keys.ts";
import { KV_COMMIT_BYTES_BUDGET, KV_MAX_MUTATIONS } from "./kv_limits.ts";
import {
  type ApplyReport,
  type DeliveryResult,
  MAX_STRIKES,
  SYNCED_LOG_LIMIT,
  type Verdict,
} from "./outbox.ts";
import type { IndexEntry, StoredRecord } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head, type OutboxStats, tally } from "./stats.ts";

/** Longest reason kept per rejection (records must stay within a KV value). */
export const MAX_REASON_CHARS = 500;
/** Mutations one result may need: delete + set + index, plus trimming one synced entry (2). */
const MUTATIONS_PER_RESULT = 5;
/** Bytes a moved entry adds to a commit besides its JSON (keys, metadata, reasons). */
const ENTRY_OVERHEAD_BYTES = 4 * 1024;
const MAX_ROUNDS = 50;

export function emptyReport(): ApplyReport {
  return { synced: 0, struck: 0, dead: 0, stale: 0 };
}

export function addReports(into: ApplyReport, more: ApplyReport): void {
  into.synced += more.synced;
  into.struck += more.struck;
  into.dead += more.dead;
  into.stale += more.stale;
}

export async function applyResults(
  kv: Deno.Kv,
  results: readonly DeliveryResult[],
): Promise<ApplyReport> {
  const report = emptyReport();
  const seen = new Set<number>();
  const todo = [...results]
    .sort((a, b) => a.seq - b.seq)
    .filter((r) => !seen.has(r.seq) && seen.add(r.seq));
  while (todo.length > 0) {
    const { consumed, report: part } = await applyChunk(kv, todo);
    addReports(report, part);
    todo.splice(0, consumed);
  }
  return report;
}

function clip(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/** The state and record an entry moves to under a verdict (null: it leaves the outbox). */
function judged(
  record: StoredRecord,
  verdict: Verdict,
): { state: OutboxState; record: StoredRecord } {
  if (verdict.kind === "synced") return { state: "synced", record };
  const errors = [...record.errors, clip(verdict.reason)];
  const attempts = record.attempts + 1;
  const next = { ...record, attempts, errors };
  if (verdict.kind === "dead" || attempts >= MAX_STRIKES) return { state: "dead", record: next };
  return { state: "pending", record: next };
}

/** Applies a prefix of `results` (sorted by seq) in one commit; returns how many it consumed. */
async function applyChunk(
  kv: Deno.Kv,
  results: readonly DeliveryResult[],
): Promise<{ consumed: number; report: ApplyReport }> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const maxResults = Math.floor(KV_MAX_MUTATIONS / MUTATIONS_PER_RESULT) - 1;
    const window = results.slice(0, maxResults);
    const [headEntry, pending] = await Promise.all([
      retryLocked(() => kv.get<Head>(HEAD_KEY)),
      readRange(kv, window[0].seq, window[window.length - 1].seq),
    ]);
    const head = structuredClone(headEntry.value ?? emptyHead());
    const stats = head.stats;
    const report = emptyReport();
    const op = kv.atomic().check(headEntry);
    let bytes = 0;
    let consumed = 0;
    for (const result of window) {
      const entry = pending.get(result.seq);
      if (!entry || entry.event_id !== result.event_id) {
        report.stale++;
        consumed++;
        continue;
      }
      const cost = entry.bytes + ENTRY_OVERHEAD_BYTES;
      if (consumed > 0 && bytes + cost > KV_COMMIT_BYTES_BUDGET) break;
      bytes += cost;
      consumed++;
      const next = judged(entry, result.verdict);
      tally(stats, "pending", entry, -1);
      tally(stats, next.state, next.record, 1);
      if (next.state === "pending") {
        report.struck++;
        op.set(entryKey("pending", result.seq), next.record);
        continue;
      }
      report[next.state === "synced" ? "synced" : "dead"]++;
      op.delete(entryKey("pending", result.seq));
      op.set(entryKey(next.state, result.seq), next.record);
      op.set(
        indexKey(result.event_id),
        { state: next.state, seq: result.seq } satisfies IndexEntry,
      );
    }
    await trimSyncedLog(kv, op, stats);
    op.set(HEAD_KEY, head);
    if ((await retryLocked(() => op.commit())).ok) return { consumed, report };
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** round, 50)));
  }
  throw new Error("could not record delivery results: the store is too busy; nothing was lost");
}

/** Pending entries with seq in [from, to], by seq. */
async function readRange(kv: Deno.Kv, from: number, to: number) {
  return await retryLocked(async () => {
    const bySeq = new Map<number, StoredRecord>();
    const range = { start: entryKey("pending", from), end: entryKey("pending", to + 1) };
    for await (const entry of kv.list<StoredRecord>(range)) {
      bySeq.set(entry.key[2] as number, entry.value);
    }
    return bySeq;
  });
}

/** Deletes the oldest synced entries beyond the log's limit (counted in `stats`). */
async function trimSyncedLog(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  stats: OutboxStats,
): Promise<void> {
  const excess = stats.count.synced - SYNCED_LOG_LIMIT;
  if (excess <= 0) return;
  const oldest = kv.list<StoredRecord>({ prefix: statePrefix("synced") }, { limit: excess });
  for await (const old of oldest) {
    op.delete(old.key).delete(indexKey(old.value.event_id));
    tally(stats, "synced", old.value, -1);
  }
}
