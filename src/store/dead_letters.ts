/**
 * Dead letters of the KV outbox: requeued (back to pending at their original place in the order,
 * strikes reset) or dropped for good. Every commit checks the head, so nothing is moved twice.
 */
import { entryKey, HEAD_KEY, indexKey, statePrefix } from "./keys.ts";
import { KV_GET_MANY_KEYS } from "./kv_limits.ts";
import type { DeadLetterReport, DeadLetterSelection } from "./outbox.ts";
import type { IndexEntry, StoredRecord } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head, tally } from "./stats.ts";

/** Dead letters moved per commit (each needs 3 mutations and up to ~64 KiB). */
const PER_COMMIT = 8;
const MAX_ROUNDS = 50;

interface DeadEntry {
  seq: number;
  record: StoredRecord;
}

/** The selected dead letters, oldest first, and the requested ids that are not dead letters. */
async function selectDead(
  kv: Deno.Kv,
  selection: DeadLetterSelection,
): Promise<{ found: DeadEntry[]; missing: string[] }> {
  if ("all" in selection) {
    const found: DeadEntry[] = [];
    for await (const e of kv.list<StoredRecord>({ prefix: statePrefix("dead") })) {
      found.push({ seq: e.key[2] as number, record: e.value });
    }
    return { found, missing: [] };
  }
  const ids = [...new Set(selection.ids)];
  const seqs = new Map<string, number>();
  for (let i = 0; i < ids.length; i += KV_GET_MANY_KEYS) {
    const chunk = ids.slice(i, i + KV_GET_MANY_KEYS);
    const index = await retryLocked(() => kv.getMany<IndexEntry[]>(chunk.map(indexKey)));
    index.forEach((entry, j) => {
      if (entry.value?.state === "dead") seqs.set(chunk[j], entry.value.seq);
    });
  }
  const found: DeadEntry[] = [];
  const keys = [...seqs.values()].map((seq) => entryKey("dead", seq));
  for (let i = 0; i < keys.length; i += KV_GET_MANY_KEYS) {
    const entries = await retryLocked(() =>
      kv.getMany<StoredRecord[]>(keys.slice(i, i + KV_GET_MANY_KEYS))
    );
    for (const e of entries) {
      if (e.value) found.push({ seq: e.key[2] as number, record: e.value });
    }
  }
  found.sort((a, b) => a.seq - b.seq);
  const present = new Set(found.map((f) => f.record.event_id));
  return { found, missing: ids.filter((id) => !present.has(id)) };
}

/**
 * Applies `move` to the selected dead letters in small commits. Entries that stopped being dead
 * letters meanwhile (another process moved them) are skipped.
 */
async function moveDead(
  kv: Deno.Kv,
  selection: DeadLetterSelection,
  move: (op: Deno.AtomicOperation, entry: DeadEntry, head: Head) => void,
): Promise<DeadLetterReport> {
  const { found, missing } = await selectDead(kv, selection);
  const done: DeadLetterReport["done"] = [];
  for (let i = 0; i < found.length; i += PER_COMMIT) {
    const chunk = found.slice(i, i + PER_COMMIT);
    for (let round = 0;; round++) {
      const headEntry = await retryLocked(() => kv.get<Head>(HEAD_KEY));
      const current = await retryLocked(() =>
        kv.getMany<StoredRecord[]>(chunk.map((e) => entryKey("dead", e.seq)))
      );
      const head = structuredClone(headEntry.value ?? emptyHead());
      const op = kv.atomic().check(headEntry);
      const moved = chunk.filter((_, j) => current[j].value !== null);
      for (const entry of moved) move(op, entry, head);
      op.set(HEAD_KEY, head);
      if ((await retryLocked(() => op.commit())).ok) {
        for (const { seq, record } of moved) {
          done.push({ event_id: record.event_id, seq, event_type: record.event_type });
        }
        break;
      }
      if (round >= MAX_ROUNDS) throw new Error("could not change dead letters: the store is busy");
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** round, 50)));
    }
  }
  return { done, missing };
}

export function requeueDead(
  kv: Deno.Kv,
  selection: DeadLetterSelection,
): Promise<DeadLetterReport> {
  return moveDead(kv, selection, (op, { seq, record }, head) => {
    const fresh: StoredRecord = { ...record, attempts: 0, errors: [] };
    op.delete(entryKey("dead", seq));
    op.set(entryKey("pending", seq), fresh);
    op.set(indexKey(record.event_id), { state: "pending", seq } satisfies IndexEntry);
    tally(head.stats, "dead", record, -1);
    tally(head.stats, "pending", fresh, 1);
  });
}

export function dropDead(kv: Deno.Kv, selection: DeadLetterSelection): Promise<DeadLetterReport> {
  return moveDead(kv, selection, (op, { seq, record }, head) => {
    op.delete(entryKey("dead", seq));
    op.delete(indexKey(record.event_id));
    tally(head.stats, "dead", record, -1);
  });
}
