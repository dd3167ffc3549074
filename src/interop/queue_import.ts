/**
 * Importing spec-kitty's offline queue into kittify's outbox: every row in spec-kitty's FIFO
 * order is parsed and validated like an event kittify emits; valid events are stored with their
 * own event_id and Lamport value, in that order (dedup by event_id: importing twice adds nothing);
 * invalid ones are reported with their reasons and left where they are.
 */
import { encodedSize, sizeProblem } from "../events/size.ts";
import type { Envelope } from "../events/types.ts";
import { validateEnvelope } from "../events/validate.ts";
import type { AppendItem, AppendOutcome } from "../store/append.ts";
import type { QueuedRow } from "./spec_kitty_queue.ts";

export interface InvalidRow {
  row_id: number;
  event_id: string;
  reason: string;
}

export interface ImportReport {
  /** Rows in the queue. */
  queued: number;
  /** Events stored now (or, in a dry run, that would be). */
  imported: number;
  /** Of those, events without a project: kept on this machine (held), never sent. */
  held: number;
  /** Events kittify had already (stored before, by an earlier import or by itself). */
  duplicates: number;
  /** Events dropped on arrival because the outbox was full (see `[sync] max_queue_size`). */
  evicted: number;
  invalid: InvalidRow[];
  /** The rows whose events kittify now has (imported or duplicate), for `--remove-imported`. */
  taken: number[];
}

/** Where imported events go: the outbox, or anything that stores like it. */
export interface ImportTarget {
  /** Which of these event ids kittify has already (or took over before). */
  knownEvents(eventIds: readonly string[]): Promise<Set<string>>;
  /** Stores one event; `duplicate` or `blocked` when kittify has it already. */
  append(item: AppendItem): Promise<AppendOutcome>;
}

/** Events stored per group commit. */
const CHUNK = 500;

interface Candidate {
  row: QueuedRow;
  item: AppendItem;
}

export async function importQueue(
  rows: readonly QueuedRow[],
  outbox: ImportTarget,
  options: { dryRun: boolean },
): Promise<ImportReport> {
  const report: ImportReport = {
    queued: rows.length,
    imported: 0,
    held: 0,
    duplicates: 0,
    evicted: 0,
    invalid: [],
    taken: [],
  };
  const candidates: Candidate[] = [];
  for (const row of rows) {
    const checked = checkRow(row);
    if ("reason" in checked) report.invalid.push(checked);
    else candidates.push({ row, item: checked });
  }
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    if (options.dryRun) {
      const known = await outbox.knownEvents(chunk.map((c) => c.item.event.event_id));
      const seen = new Set<string>();
      for (const { row, item } of chunk) {
        const id = item.event.event_id;
        if (known.has(id) || seen.has(id)) report.duplicates++;
        else count(report, item);
        seen.add(id);
        report.taken.push(row.id);
      }
      continue;
    }
    // One call per event, all at once: the outbox stores them in group commits, in this order.
    const outcomes = await Promise.all(chunk.map(({ item }) => outbox.append(item)));
    outcomes.forEach((outcome, j) => {
      const { row, item } = chunk[j];
      if (outcome.status === "stored") count(report, item);
      // Blocked: the import mark is there already (an earlier import took it).
      else if (outcome.status === "duplicate" || outcome.status === "blocked") report.duplicates++;
      else if (outcome.status === "evicted") report.evicted++;
      if (outcome.status !== "evicted") report.taken.push(row.id);
    });
  }
  return report;
}

function count(report: ImportReport, item: AppendItem): void {
  report.imported++;
  if (item.state === "held") report.held++;
}

/** The row as an item to store, or why it cannot be. */
function checkRow(row: QueuedRow): AppendItem | InvalidRow {
  const invalid = (reason: string): InvalidRow => ({
    row_id: row.id,
    event_id: row.event_id,
    reason,
  });
  let event: unknown;
  try {
    event = JSON.parse(row.data);
  } catch (err) {
    return invalid(`not JSON: ${(err as Error).message}`);
  }
  const problems = validateEnvelope(event);
  if (problems.length > 0) return invalid(problems.join("; "));
  const envelope = event as Envelope;
  if (envelope.event_id !== row.event_id) {
    return invalid(`the row's event_id ${row.event_id} differs from the event's`);
  }
  const bytes = encodedSize(envelope);
  const tooBig = sizeProblem(bytes);
  if (tooBig) return invalid(tooBig);
  return {
    event: envelope,
    state: envelope.project_uuid ? "pending" : "held",
    bytes,
    keepLamport: true,
  };
}
