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
export const MAX_REASON_CHARS = 300;
/** Characters of reasons one record keeps at most (the newest): 5 reasons of 300. */
const MAX_REASONS_CHARS = 1_500;
/**
 * Mutations one result may need in the worst case: a dead letter takes three (delete, set, set
 * index); a delivered event two deletes, plus a page written and a page trimmed for it when every
 * event fills a page alone.
 */
const MUTATIONS_PER_RESULT = 4;
/** Results per commit: within KV's mutation limit with room for the head and two more pages. */
const RESULTS_PER_COMMIT = Math.floor((KV_MAX_MUTATIONS - 5) / MUTATIONS_PER_RESULT);
/** Bytes a written entry adds to a commit besides its JSON and reasons (keys, metadata). */
const ENTRY_OVERHEAD_BYTES = 256;
/** Bytes of records per synced-log page (a KV value holds 64 KiB; one record always fits). */
const PAGE_BYTES = 40 * 1024;
const MAX_ROUNDS = 50;

export function emptyReport(): ApplyReport {
  return { synced: 0, struck: 0, dead: 0, stale: 0, dead_ids: [], stale_ids: [] };
}

export function addReports(into: ApplyReport, more: ApplyReport): void {
  into.synced += more.synced;
  into.struck += more.struck;
  into.dead += more.dead;
  into.stale += more.stale;
  into.dead_ids.push(...more.dead_ids);
  into.stale_ids.push(...more.stale_ids);
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

/** A reason as kept: at most {@link MAX_REASON_CHARS} (ASCII ellipsis: a one-byte string). */
function clip(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 3)}...`;
}

/** The reasons a record keeps: the newest, within {@link MAX_REASONS_CHARS}. */
function keptReasons(errors: readonly string[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (let i = errors.length - 1; i >= 0; i--) {
    chars += errors[i].length;
    if (chars > MAX_REASONS_CHARS) break;
    kept.unshift(errors[i]);
  }
  return kept;
}

/** The record a struck or dead entry keeps: one more attempt, one more reason. */
function struck(record: StoredRecord, verdict: Exclude<Verdict, { kind: "synced" }>) {
  const attempts = record.attempts + 1;
  const errors = keptReasons([...record.errors, clip(verdict.reason)]);
  const next = { ...record, attempts, errors };
  return { record: next, dead: verdict.kind === "dead" || attempts >= MAX_STRIKES };
}

function writeCost(record: StoredRecord): number {
  return record.bytes + ENTRY_OVERHEAD_BYTES + 2 * record.errors.reduce((n, e) => n + e.length, 0);
}

/** Applies a prefix of `results` (sorted by seq) in one commit; returns how many it consumed. */
async function applyChunk(
  kv: Deno.Kv,
  results: readonly DeliveryResult[],
): Promise<{ consumed: number; report: ApplyReport }> {
  const window = results.slice(0, RESULTS_PER_COMMIT);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // The head first, then the entries: a commit landing in between changes the head, so the
    // check below fails and nothing is applied to entries read after it.
    const headEntry = await retryLocked(() => kv.get<Head>(HEAD_KEY));
    const pending = await readPending(kv, window[0].seq, window[window.length - 1].seq);
    const head = structuredClone(headEntry.value ?? emptyHead());
    const stats = head.stats;
    const report = emptyReport();
    const delivered: Array<{ seq: number; record: StoredRecord }> = [];
    const op = kv.atomic().check(headEntry);
    let bytes = 0;
    let consumed = 0;
    for (const result of window) {
      const entry = pending.get(result.seq);
      if (!entry || entry.event_id !== result.event_id || entry.attempts !== result.attempts) {
        report.stale++;
        report.stale_ids.push(result.event_id);
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
        report.dead_ids.push(result.event_id);
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
    head.synced_pages = await logDelivered(kv, op, head.synced_pages ?? [], delivered);
    stats.count.synced = head.synced_pages.reduce((n, p) => n + p.count - p.skip, 0);
    op.set(HEAD_KEY, head);
    if ((await retryLocked(() => op.commit())).ok) return { consumed, report };
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** round, 50)));
  }
  throw new Error("could not record delivery results: the store is too busy; nothing was lost");
}

/**
 * Adds `delivered` to the synced log, filling the newest page first and opening new pages of
 * {@link PAGE_BYTES}, then trims the log to its newest {@link SYNCED_LOG_LIMIT} events (whole
 * pages are deleted, a partly trimmed one is skipped in). Returns the pages kept.
 */
async function logDelivered(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  kept: readonly SyncedPageRef[],
  delivered: ReadonlyArray<{ seq: number; record: StoredRecord }>,
): Promise<SyncedPageRef[]> {
  const pages = kept.map((p) => ({ ...p }));
  if (delivered.length === 0) return pages;
  let ref = pages.at(-1);
  let page: SyncedPage = { seqs: [], records: [] };
  if (ref && (ref.bytes ?? PAGE_BYTES) < PAGE_BYTES) {
    const newest = await retryLocked(() => kv.get<SyncedPage>(syncedPageKey(ref!.page)));
    if (newest.value) page = newest.value;
    else ref = undefined;
  } else {
    ref = undefined;
  }
  let next = (pages.at(-1)?.page ?? -1) + 1;
  const open = () => {
    ref = { page: next++, count: 0, skip: 0, bytes: 0 };
    pages.push(ref);
    page = { seqs: [], records: [] };
  };
  if (!ref) open();
  for (const { seq, record } of delivered) {
    const cost = writeCost(record);
    if (ref!.count > 0 && ref!.bytes! + cost > PAGE_BYTES) {
      op.set(syncedPageKey(ref!.page), page);
      open();
    }
    page.seqs.push(seq);
    page.records.push(record);
    ref!.count++;
    ref!.bytes = (ref!.bytes ?? 0) + cost;
  }
  op.set(syncedPageKey(ref!.page), page);
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
