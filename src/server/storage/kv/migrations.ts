/**
 * Bringing a store written by an older `kittify serve` to the current layout, at start-up.
 *
 * Layout 1 kept events under `["events", event_id]`, so dedup was global: an id one team had
 * stored made another team's event with that id a "duplicate" that was never stored for it.
 * Layout 2 keys them `["events", team, event_id]` (the team is in each record). Layout 3 adds
 * the activity index `["activity", team, last_received_at, project_uuid]` that the project list
 * pages through. Each step is idempotent and done in small commits, so a server killed halfway,
 * or several servers sharing the store starting at once, simply finish the job; the layout is
 * recorded when a step is done.
 */
import { KV_GET_MANY_KEYS } from "../../../store/kv_limits.ts";
import { retryLocked } from "../../../store/retry.ts";
import type { StoredEvent } from "../../ingest/stored_event.ts";
import { activityKey, eventKey, EVENTS_PREFIX, STORE_LAYOUT } from "./keys.ts";
import type { ProjectRow } from "../../view/rows.ts";

export const CURRENT_LAYOUT = 3;

/** Deno KV allows 1,000 mutations, 100 checks and 800 KiB per commit; events are ≤ ~60 KiB. */
const CHECKS_PER_COMMIT = 100;
const MAX_MOVES_PER_COMMIT = 200;
const MAX_BYTES_PER_COMMIT = 600 * 1024;

/** Migrates `kv` to the current layout; returns how many records were moved or added. */
export async function migrateStore(kv: Deno.Kv): Promise<number> {
  const layout = (await kv.get<number>(STORE_LAYOUT)).value ?? 1;
  let changed = 0;
  if (layout < 2) {
    changed += await eventsPerTeam(kv);
    await retryLocked(() => kv.set(STORE_LAYOUT, 2));
  }
  if (layout < 3) {
    changed += await activityIndex(kv);
    await retryLocked(() => kv.set(STORE_LAYOUT, 3));
  }
  return changed;
}

/** Layout 2: `["events", event_id]` → `["events", team, event_id]`. */
async function eventsPerTeam(kv: Deno.Kv): Promise<number> {
  const commits = new Commits(kv);
  for await (const entry of kv.list<StoredEvent>({ prefix: EVENTS_PREFIX }, { batchSize: 500 })) {
    // Layout 1 keys have two parts; keys already moved (three parts) are skipped.
    if (entry.key.length !== 2) continue;
    const size = typeof entry.value.envelope === "string"
      ? entry.value.envelope.length * 2
      : entry.value.envelope.byteLength;
    await commits.add(
      size,
      (op) =>
        op.set(eventKey(entry.value.team, String(entry.key[1])), entry.value).delete(entry.key),
    );
  }
  return await commits.done();
}

/**
 * Layout 3: an activity index entry for every project row `["view", team, project_uuid]`. Each
 * entry is written only if its row is still as read: another server storing events meanwhile has
 * written the row's current entry itself, and an entry for the older value would stay behind.
 */
async function activityIndex(kv: Deno.Kv): Promise<number> {
  let written = 0;
  let chunk: Array<Deno.KvEntry<ProjectRow>> = [];
  const flush = async () => {
    let rows = chunk;
    chunk = [];
    for (let attempt = 0; rows.length > 0; attempt++) {
      if (attempt >= 20) throw new Error("migrating the project index: the store kept changing");
      const op = kv.atomic();
      for (const entry of rows) {
        const row = entry.value;
        op.check(entry).set(activityKey(row.team, row.last_received_at, row.project_uuid), row);
      }
      if ((await retryLocked(() => op.commit())).ok) {
        written += rows.length;
        return;
      }
      // Some row changed: read them again and write what they hold now.
      const fresh: Array<Deno.KvEntry<ProjectRow>> = [];
      for (let i = 0; i < rows.length; i += KV_GET_MANY_KEYS) {
        const keys = rows.slice(i, i + KV_GET_MANY_KEYS).map((r) => r.key);
        for (const e of await retryLocked(() => kv.getMany<ProjectRow[]>(keys))) {
          if (e.value !== null) fresh.push(e as Deno.KvEntry<ProjectRow>);
        }
      }
      rows = fresh;
    }
  };
  for await (const entry of kv.list<ProjectRow>({ prefix: ["view"] }, { batchSize: 500 })) {
    if (entry.key.length !== 3) continue; // feature and work-package rows
    chunk.push(entry);
    if (chunk.length >= CHECKS_PER_COMMIT) await flush();
  }
  await flush();
  return written;
}

/** Mutations gathered into commits within Deno KV's limits. */
class Commits {
  private op: Deno.AtomicOperation;
  private count = 0;
  private bytes = 0;
  private total = 0;

  constructor(private readonly kv: Deno.Kv) {
    this.op = kv.atomic();
  }

  async add(bytes: number, mutate: (op: Deno.AtomicOperation) => void): Promise<void> {
    if (this.count >= MAX_MOVES_PER_COMMIT || this.bytes + bytes > MAX_BYTES_PER_COMMIT) {
      await this.flush();
    }
    mutate(this.op);
    this.count++;
    this.bytes += bytes;
  }

  /** Commits what is left; returns how many records were written in all. */
  async done(): Promise<number> {
    await this.flush();
    return this.total;
  }

  private async flush(): Promise<void> {
    if (this.count === 0) return;
    const op = this.op;
    await retryLocked(() => op.commit());
    this.total += this.count;
    this.op = this.kv.atomic();
    this.count = 0;
    this.bytes = 0;
  }
}
