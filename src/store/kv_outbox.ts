/**
 * The outbox on Deno KV (a file, or `:memory:` in tests): appends go through group commit;
 * verdicts, dead letters, the lease and sync health each live in their own module, loaded when
 * first used: a command that only stores its event needs none of them, and under `deno run`
 * every module loaded costs start-up time.
 */
import { load } from "../common/load.ts";
import { MAX_LAMPORT } from "../events/validate.ts";
import {
  appendBatch,
  type AppendItem,
  type AppendOutcome,
  type HeadCache,
  knownEventIds,
} from "./append.ts";
import { GroupCommitter } from "./group_commit.ts";
import { entryKey, HEAD_KEY, type OutboxState, statePrefix } from "./keys.ts";
import {
  type ApplyReport,
  type AttemptOutcome,
  type DeadLetterReport,
  type DeadLetterSelection,
  DEFAULT_CAPACITY,
  type DeliveryResult,
  type Lease,
  type LeaseAttempt,
  type LeaseHolder,
  type ListedEntry,
  type Outbox,
  type PendingEntry,
  type SyncHealth,
} from "./outbox.ts";
import { listStates, readHead } from "./read.ts";
import type { StoredRecord } from "./records.ts";
import { retryLocked } from "./retry.ts";
import { emptyHead, type Head } from "./stats.ts";

const verdicts = () =>
  load<typeof import("./apply_results.ts")>(new URL("./apply_results.ts", import.meta.url));
const deadLetters = () =>
  load<typeof import("./dead_letters.ts")>(new URL("./dead_letters.ts", import.meta.url));
const leases = () => load<typeof import("./lease.ts")>(new URL("./lease.ts", import.meta.url));
const healthRecords = () =>
  load<typeof import("./health.ts")>(new URL("./health.ts", import.meta.url));

export class KvOutbox implements Outbox {
  readonly #committer: GroupCommitter;
  readonly #cache: HeadCache = { head: null };

  constructor(
    readonly kv: Deno.Kv,
    readonly capacity: number = DEFAULT_CAPACITY,
    /** ms since the epoch (leases). */
    private readonly now: () => number = Date.now,
  ) {
    this.#committer = new GroupCommitter((items) =>
      appendBatch(kv, items, capacity, { cache: this.#cache })
    );
  }

  append(item: AppendItem): Promise<AppendOutcome & { evicted: number }> {
    return this.#committer.submit(item);
  }

  takePending(
    { after = 0, maxEvents, maxBytes }: { after?: number; maxEvents: number; maxBytes: number },
  ): Promise<PendingEntry[]> {
    return retryLocked(async () => {
      const out: PendingEntry[] = [];
      let bytes = 0;
      const selector = { prefix: statePrefix("pending"), start: entryKey("pending", after + 1) };
      const batchSize = Math.min(Math.max(maxEvents, 1), 500);
      for await (const e of this.kv.list<StoredRecord>(selector, { limit: maxEvents, batchSize })) {
        const r = e.value;
        if (out.length > 0 && bytes + r.bytes > maxBytes) break;
        bytes += r.bytes;
        out.push({
          seq: e.key[2] as number,
          event_id: r.event_id,
          event_type: r.event_type,
          json: r.json,
          bytes: r.bytes,
          attempts: r.attempts,
        });
      }
      return out;
    });
  }

  async applyResults(results: readonly DeliveryResult[]): Promise<ApplyReport> {
    return (await verdicts()).applyResults(this.kv, results);
  }

  list(states: readonly OutboxState[], limit?: number): Promise<ListedEntry[]> {
    return listStates(this.kv, states, limit);
  }

  async requeueDead(selection: DeadLetterSelection): Promise<DeadLetterReport> {
    return (await deadLetters()).requeueDead(this.kv, selection);
  }

  async dropDead(selection: DeadLetterSelection): Promise<DeadLetterReport> {
    return (await deadLetters()).dropDead(this.kv, selection);
  }

  knownEvents(eventIds: readonly string[]): Promise<Set<string>> {
    return knownEventIds(this.kv, eventIds);
  }

  head(): Promise<Head> {
    return readHead(this.kv);
  }

  async observeClock(value: number): Promise<void> {
    // A value no valid event can carry is ignored: it would exhaust the clock.
    if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_LAMPORT) return;
    for (let round = 0; round < 100; round++) {
      const entry = await retryLocked(() => this.kv.get<Head>(HEAD_KEY));
      const head = entry.value ?? emptyHead();
      if (head.clock >= value) return;
      const op = this.kv.atomic().check(entry).set(HEAD_KEY, { ...head, clock: value });
      if ((await retryLocked(() => op.commit())).ok) {
        this.#cache.head = null; // the next append reads the head again
        return;
      }
    }
    throw new Error("could not advance the Lamport clock: the store is busy");
  }

  async acquireLease(holder: LeaseHolder, ttlMs: number): Promise<LeaseAttempt> {
    // A run that takes the lease applies verdicts next: that module loads meanwhile, while the
    // lease commit and the first request are in flight, not after the answer came.
    verdicts().catch(() => {});
    return (await leases()).acquireLease(this.kv, holder, ttlMs, this.now);
  }

  async renewLease(holder: LeaseHolder, ttlMs: number): Promise<boolean> {
    return (await leases()).renewLease(this.kv, holder, ttlMs, this.now);
  }

  async releaseLease(owner: string, outcome?: AttemptOutcome): Promise<void> {
    const lease = await leases();
    return outcome === undefined
      ? lease.releaseLease(this.kv, owner)
      : lease.releaseLeaseRecording(this.kv, owner, outcome);
  }

  async currentLease(): Promise<Lease | null> {
    return (await leases()).currentLease(this.kv, this.now);
  }

  async health(): Promise<SyncHealth> {
    return (await healthRecords()).readHealth(this.kv);
  }

  async recordAttempt(outcome: AttemptOutcome): Promise<SyncHealth> {
    return (await healthRecords()).recordAttempt(this.kv, outcome);
  }
}
