/**
 * Applying the server's verdicts to the KV outbox. Every commit checks the head, which every
 * outbox commit rewrites, so a commit applies its results only to entries exactly as they were
 * read: a result is applied once or not at all, and a result for an event that is no longer
 * pending (applied by an earlier commit) is counted `stale` and ignored.
 *
 * A delivered event leaves the queue and its index entry (two deletes) and joins the synced log,
 * whose pages each hold the events of one commit: a handful of writes per commit, not one per
 * event, and the log is never read here. Pages beyond the newest {@link SYNCED_LOG_LIMIT}
 * events are deleted. (The log's size in bytes is not kept in the head; readers sum it.)
 */
import { entryKey, HEAD_KEY, indexKey, syncedPageKey } from "./keys.ts";
import { KV_COMMIT_BYTES_BUDGET, KV_MAX_MUTATIONS } from "./kv_limits.ts";
import {
  type ApplyReport,
  type DeliveryResult,
  MAX_STRIKES,
  SYNCED_LOG_LIMIT,
  type Verdict,
} from "./outbox.ts";
import type { IndexEntry, StoredRecord, SyncedPage } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head, type SyncedPageRef, tally } from "./stats.ts";

/** Longest reason kept per rejection (records must stay within a KV value). */
export const MAX_REASON_CHARS = 500;
/** Mutations one result may need (a delivered event: two deletes, and its share of a page). */
const MUTATIONS_PER_RESULT = 3;
/** Bytes of records per synced-log page (a KV value holds 64 KiB). */
const PAGE_BYTES = 40 * 1024;
/** Bytes a written entry adds to a commit besides its JSON and reasons (keys, metadata). */
const ENTRY_OVERHEAD_BYTES = 256;
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

/** The record a struck or dead entry keeps: one more attempt, one more reason. */
function struck(record: StoredRecord, verdict: Exclude<Verdict, { kind: "synced" }>) {
  const attempts = record.attempts + 1;
  const next = { ...record, attempts, errors: [...record.errors, clip(verdict.reason)] };
  return { record: next, dead: verdict.kind === "dead" || attempts >= MAX_STRIKES };
}

function writeCost(record: StoredRecord): number {
  return record.bytes + ENTRY_OVERHEAD_BYTES + record.errors.reduce((n, e) => n + e.length, 0);
}

/** Applies a prefix of `results` (sorted by seq) in one commit; returns how many it consumed. */
async function applyChunk(
  kv: Deno.Kv,
  results: readonly DeliveryResult[],
): Promise<{ consumed: number; report: ApplyReport }> {
  const window = results.slice(0, Math.floor(KV_MAX_MUTATIONS / MUTATIONS_PER_RESULT) - 2);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [headEntry, pending] = await Promise.all([
      retryLocked(() => kv.get<Head>(HEAD_KEY)),
      readPending(kv, window[0].seq, window[window.length - 1].seq),
    ]);
    const head = structuredClone(headEntry.value ?? emptyHead());
    const stats = head.stats;
    const report = emptyReport();
    const delivered: Array<{ seq: number; record: StoredRecord }> = [];
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
      const verdict = result.verdict;
      const next = verdict.kind === "synced"
        ? { record: entry, dead: false }
        : struck(entry, verdict);
      const cost = writeCost(next.record);
      if (consumed > 0 && bytes + cost > KV_COMMIT_BYTES_BUDGET) break;
      bytes += cost;
      consumed++;
      tally(stats, "pending", entry, -1);
      if (verdict.kind === "synced") {
        report.synced++;
        op.delete(entryKey("pending", result.seq)).delete(indexKey(result.event_id));
        delivered.push({ seq: result.seq, record: entry });
      } else if (next.dead) {
        report.dead++;
        tally(stats, "dead", next.record, 1);
        op.delete(entryKey("pending", result.seq))
          .set(entryKey("dead", result.seq), next.record)
          .set(indexKey(result.event_id), { state: "dead", seq: result.seq } satisfies IndexEntry);
      } else {
        report.struck++;
        tally(stats, "pending", next.record, 1);
        op.set(entryKey("pending", result.seq), next.record);
      }
    }
    head.synced_pages = logDelivered(op, head.synced_pages ?? [], delivered);
    stats.count.synced = head.synced_pages.reduce((n, p) => n + p.count - p.skip, 0);
    op.set(HEAD_KEY, head);
    if ((await retryLocked(() => op.commit())).ok) return { consumed, report };
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** round, 50)));
  }
  throw new Error("could not record delivery results: the store is too busy; nothing was lost");
}

/**
 * Writes `delivered` into new pages of the synced log, then trims the log to its newest
 * {@link SYNCED_LOG_LIMIT} events (whole pages are deleted, a partly trimmed one is skipped in).
 * Returns the pages kept.
 */
function logDelivered(
  op: Deno.AtomicOperation,
  kept: readonly SyncedPageRef[],
  delivered: ReadonlyArray<{ seq: number; record: StoredRecord }>,
): SyncedPageRef[] {
  const pages = kept.map((p) => ({ ...p }));
  let next = (pages.at(-1)?.page ?? -1) + 1;
  let page: SyncedPage = { seqs: [], records: [] };
  let bytes = 0;
  const flush = () => {
    if (page.seqs.length === 0) return;
    op.set(syncedPageKey(next), page);
    pages.push({ page: next++, count: page.seqs.length, skip: 0 });
    page = { seqs: [], records: [] };
    bytes = 0;
  };
  for (const { seq, record } of delivered) {
    const cost = writeCost(record);
    if (bytes + cost > PAGE_BYTES) flush();
    page.seqs.push(seq);
    page.records.push(record);
    bytes += cost;
  }
  flush();
  let total = pages.reduce((n, p) => n + p.count - p.skip, 0);
  while (total > SYNCED_LOG_LIMIT) {
    const oldest = pages[0];
    const live = oldest.count - oldest.skip;
    if (total - live >= SYNCED_LOG_LIMIT) {
      op.delete(syncedPageKey(oldest.page));
      pages.shift();
      total -= live;
    } else {
      oldest.skip += total - SYNCED_LOG_LIMIT;
      total = SYNCED_LOG_LIMIT;
    }
  }
  return pages;
}

/** Pending entries with seq in [from, to], by seq. */
function readPending(kv: Deno.Kv, from: number, to: number): Promise<Map<number, StoredRecord>> {
  return retryLocked(async () => {
    const bySeq = new Map<number, StoredRecord>();
    const range = { start: entryKey("pending", from), end: entryKey("pending", to + 1) };
    for await (const entry of kv.list<StoredRecord>(range)) {
      bySeq.set(entry.key[2] as number, entry.value);
    }
    return bySeq;
  });
}
