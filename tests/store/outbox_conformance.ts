/**
 * The outbox conformance suite: every implementation of `Outbox` must pass it. A test module
 * calls {@link outboxConformance} with a name and a factory (see `kv_outbox_test.ts`).
 */
import assert from "node:assert/strict";
import type { Envelope } from "../../src/events/types.ts";
import { newEventId } from "../../src/events/ulid.ts";
import type { AppendItem } from "../../src/store/append.ts";
import {
  type ApplyReport,
  type DeliveryResult,
  MAX_STRIKES,
  type Outbox,
  type PendingEntry,
  SYNCED_LOG_LIMIT,
  type Verdict,
} from "../../src/store/outbox.ts";

export interface OutboxUnderTest {
  outbox: Outbox;
  close(): Promise<void>;
}

export type OutboxFactory = (options: { capacity: number; now: () => number }) => Promise<
  OutboxUnderTest
>;

export const PROJECT_UUID = "550e8400-e29b-41d4-a716-446655440000";

export function envelope(overrides: Partial<Envelope> = {}): Envelope {
  return {
    event_id: newEventId(),
    event_type: "WPCreated",
    aggregate_id: "WP01",
    aggregate_type: "WorkPackage",
    payload: { wp_id: "WP01", title: "t", dependencies: [], feature_slug: "001-x" },
    node_id: "a1b2c3d4e5f6",
    lamport_clock: 0,
    causation_id: null,
    timestamp: "2026-02-12T10:00:00.000000+00:00",
    team_slug: "local",
    project_uuid: PROJECT_UUID,
    project_slug: "x",
    git_branch: null,
    head_commit_sha: null,
    repo_slug: null,
    ...overrides,
  } as Envelope;
}

export function pendingItem(overrides: Partial<Envelope> = {}): AppendItem {
  const event = envelope(overrides);
  return { event, state: "pending", bytes: new TextEncoder().encode(JSON.stringify(event)).length };
}

export function heldItem(): AppendItem {
  const event = envelope({ project_uuid: null });
  return { event, state: "held", bytes: new TextEncoder().encode(JSON.stringify(event)).length };
}

const verdictFor = (entries: PendingEntry[], verdict: Verdict): DeliveryResult[] =>
  entries.map((e) => ({ seq: e.seq, event_id: e.event_id, attempts: e.attempts, verdict }));

const ALL = { maxEvents: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER };

/** The four counts of an ApplyReport. */
const counts = ({ synced, struck, dead, stale }: ApplyReport) => ({ synced, struck, dead, stale });

export function outboxConformance(name: string, factory: OutboxFactory): void {
  const test = (title: string, fn: (outbox: Outbox, clock: { ms: number }) => Promise<void>) =>
    Deno.test(`outbox conformance (${name}): ${title}`, async () => {
      const clock = { ms: Date.UTC(2026, 11, 2) };
      const { outbox, close } = await factory({ capacity: 10_000, now: () => clock.ms });
      try {
        await fn(outbox, clock);
      } finally {
        await close();
      }
    });

  test("append assigns increasing Lamport values; list is FIFO; held events apart", async (o) => {
    const items = [pendingItem(), heldItem(), pendingItem(), heldItem(), pendingItem()];
    const stored = [];
    for (const item of items) stored.push((await o.append(item)).event!);
    assert.deepEqual(stored.map((e) => e.lamport_clock), [1, 2, 3, 4, 5]);
    const all = await o.list(["pending", "held", "synced", "dead"]);
    assert.deepEqual(all.map((e) => e.record.event.event_id), items.map((i) => i.event.event_id));
    assert.deepEqual(all.map((e) => e.state), ["pending", "held", "pending", "held", "pending"]);
    const head = await o.head();
    assert.equal(head.clock, 5);
    assert.deepEqual(head.stats.count, { pending: 3, held: 2, synced: 0, dead: 0 });
    const pending = await o.takePending(ALL);
    assert.deepEqual(pending.map((p) => p.seq), [1, 3, 5], "held events are never taken");
  });

  test("a clock seen from elsewhere raises the Lamport clock, never lowers it", async (o) => {
    await o.append(pendingItem());
    await o.observeClock(41);
    assert.equal((await o.append(pendingItem())).event!.lamport_clock, 42);
    await o.observeClock(7);
    assert.equal((await o.head()).clock, 42);
    await o.observeClock(Number.NaN);
    await o.observeClock(Number.MAX_SAFE_INTEGER); // no valid event carries it: ignored
    assert.equal((await o.append(pendingItem())).event!.lamport_clock, 43);
  });

  test("a duplicate event id is stored once and spends no Lamport value", async (o) => {
    const item = pendingItem();
    assert.equal((await o.append(item)).status, "stored");
    assert.equal((await o.append(item)).status, "duplicate");
    assert.equal((await o.append(pendingItem())).event!.lamport_clock, 2);
  });

  test("knownEvents: the ids stored in any state; unknown ones are not", async (o) => {
    const held = heldItem();
    const pending = pendingItem();
    await o.append(held);
    await o.append(pending);
    const ids = [pending.event.event_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", held.event.event_id];
    assert.deepEqual(
      await o.knownEvents(ids),
      new Set([pending.event.event_id, held.event.event_id]),
    );
    assert.deepEqual(await o.knownEvents([]), new Set());
  });

  test("an imported event keeps its Lamport value, takes the next place, moves the clock", async (o) => {
    await o.append(pendingItem());
    const imported = { ...pendingItem({ lamport_clock: 1_023 }), keepLamport: true };
    const older = { ...pendingItem({ lamport_clock: 7 }), keepLamport: true };
    assert.equal((await o.append(imported)).event!.lamport_clock, 1_023);
    assert.equal((await o.append(older)).event!.lamport_clock, 7);
    assert.equal((await o.append(imported)).status, "duplicate");
    // In the order they were stored, whatever their values; the clock continues past them (and
    // past the places they took: 1, 1,023 for the first, then 1,024 for the second).
    const listed = await o.list(["pending"]);
    assert.deepEqual(listed.map((e) => e.record.event.lamport_clock), [1, 1_023, 7]);
    assert.equal((await o.append(pendingItem())).event!.lamport_clock, 1_025);
  });

  test("takePending: oldest first, after a place, bounded by count and bytes", async (o) => {
    const stored = [];
    for (let i = 0; i < 10; i++) stored.push((await o.append(pendingItem())).event!);
    const first = await o.takePending({ maxEvents: 4, maxBytes: 1 << 20 });
    assert.deepEqual(first.map((p) => p.seq), [1, 2, 3, 4]);
    assert.equal(first[0].event_id, stored[0].event_id);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(first[0].json)), stored[0]);
    assert.equal(first[0].bytes, first[0].json.length);
    const next = await o.takePending({ after: 4, maxEvents: 100, maxBytes: 1 << 20 });
    assert.deepEqual(next.map((p) => p.seq), [5, 6, 7, 8, 9, 10]);
    const bytes = first[0].bytes;
    const byBytes = await o.takePending({ maxEvents: 100, maxBytes: bytes * 3 });
    assert.equal(byBytes.length, 3);
    const tiny = await o.takePending({ maxEvents: 100, maxBytes: 1 });
    assert.equal(tiny.length, 1, "the oldest entry is taken even when it alone is larger");
    assert.deepEqual(await o.takePending({ after: 10, maxEvents: 5, maxBytes: 1 << 20 }), []);
  });

  test("synced verdicts move events to the synced log; a repeat is stale", async (o) => {
    for (let i = 0; i < 5; i++) await o.append(pendingItem());
    const taken = await o.takePending(ALL);
    const report = await o.applyResults(verdictFor(taken.slice(0, 3), { kind: "synced" }));
    assert.deepEqual(counts(report), { synced: 3, struck: 0, dead: 0, stale: 0 });
    assert.deepEqual((await o.takePending(ALL)).map((p) => p.seq), [4, 5]);
    const synced = await o.list(["synced"]);
    assert.deepEqual(synced.map((e) => e.seq), [1, 2, 3]);
    const again = await o.applyResults(verdictFor(taken.slice(0, 3), { kind: "synced" }));
    assert.deepEqual(counts(again), { synced: 0, struck: 0, dead: 0, stale: 3 });
    const { stats } = await o.head();
    assert.deepEqual(stats.count, { pending: 2, held: 0, synced: 3, dead: 0 });
    assert.equal(stats.bytes.pending, taken.slice(3).reduce((n, p) => n + p.bytes, 0));
    assert.deepEqual(stats.pending_types, { WPCreated: 2 });
  });

  test("the synced log keeps what earlier deliveries logged across later appends", async (o) => {
    for (let round = 0; round < 3; round++) {
      await o.append(pendingItem());
      await o.append(heldItem());
      const taken = await o.takePending(ALL);
      await o.applyResults(verdictFor(taken, { kind: "synced" }));
    }
    const synced = await o.list(["synced"]);
    assert.deepEqual(synced.map((e) => e.seq), [1, 3, 5]);
    assert.equal((await o.head()).stats.count.synced, 3);
    assert.deepEqual((await o.list(["synced"], 2)).map((e) => e.seq), [1, 3]);
  });

  test("the same verdicts applied twice at once are applied once", async (o) => {
    for (let i = 0; i < 300; i++) await o.append(pendingItem());
    const taken = await o.takePending(ALL);
    const results = verdictFor(taken, { kind: "strike", reason: "no" });
    const [a, b] = await Promise.all([o.applyResults(results), o.applyResults(results)]);
    assert.equal(a.struck + b.struck, 300, "each strike once");
    assert.equal(a.stale + b.stale, 300);
    const { stats } = await o.head();
    assert.equal(stats.count.pending, 300);
    assert.equal(stats.pending_retries["1-3 retries"], 300);
    assert.ok((await o.takePending(ALL)).every((p) => p.attempts === 1));
  });

  test("a synced log built one event at a time still takes a large delivery", async (o) => {
    for (let i = 0; i < 1_200; i++) {
      await o.append(pendingItem());
      await o.applyResults(verdictFor(await o.takePending(ALL), { kind: "synced" }));
    }
    const big = { entry_content: "x".repeat(700) };
    await Promise.all(Array.from({ length: 400 }, () => o.append(pendingItem({ payload: big }))));
    const report = await o.applyResults(verdictFor(await o.takePending(ALL), { kind: "synced" }));
    assert.equal(report.synced, 400);
    const head = await o.head();
    assert.equal(head.stats.count.synced, SYNCED_LOG_LIMIT);
    assert.equal((await o.list(["synced"])).length, SYNCED_LOG_LIMIT);
  });

  test("the largest event keeps every rejection reason and still fits the store", async (o) => {
    const huge = { wp_id: "WP01", title: "t", entry_content: "y".repeat(60 * 1024 - 600) };
    await o.append(pendingItem({ payload: huge }));
    await o.append(pendingItem({ payload: huge }));
    const long = (i: number) => `Invalid schema: ${"é".repeat(400)} ${i}`;
    const strikeAll = async (strike: number, second: Verdict) => {
      const [a, b] = await o.takePending(ALL);
      return await o.applyResults([
        ...verdictFor([a], { kind: "strike", reason: long(strike) }),
        ...verdictFor([b], second),
      ]);
    };
    const [first] = await o.takePending(ALL);
    for (let strike = 1; strike <= 4; strike++) {
      await strikeAll(strike, { kind: "strike", reason: long(strike) });
    }
    const last = await strikeAll(5, { kind: "synced" });
    assert.deepEqual(counts(last), { synced: 1, struck: 0, dead: 1, stale: 0 });
    assert.deepEqual(last.dead_ids, [first.event_id]);
    const [dead] = await o.list(["dead"]);
    assert.equal(dead.record.errors.length, MAX_STRIKES);
    assert.ok(dead.record.errors.every((e) => e.length <= 300));
    assert.equal((await o.list(["synced"])).length, 1);
  });

  test("strikes keep the event pending in place; the fifth makes it a dead letter", async (o) => {
    for (let i = 0; i < 3; i++) await o.append(pendingItem());
    let [poison] = await o.takePending({ maxEvents: 1, maxBytes: 1 << 20 });
    for (let strike = 1; strike < MAX_STRIKES; strike++) {
      const report = await o.applyResults(
        verdictFor([poison], { kind: "strike", reason: `reason ${strike}` }),
      );
      // A verdict about the entry as it was before this strike is stale now.
      const stale = await o.applyResults(verdictFor([poison], { kind: "strike", reason: "again" }));
      assert.equal(stale.stale, 1);
      assert.deepEqual(counts(report), { synced: 0, struck: 1, dead: 0, stale: 0 });
      const [head] = await o.takePending({ maxEvents: 1, maxBytes: 1 << 20 });
      assert.equal(head.seq, poison.seq, "still first in the order");
      assert.equal(head.attempts, strike);
      poison = head;
    }
    const { stats } = await o.head();
    assert.equal(stats.pending_retries["4+ retries"], 1);
    const last = await o.applyResults(
      verdictFor([poison], { kind: "strike", reason: `reason ${MAX_STRIKES}` }),
    );
    assert.deepEqual(counts(last), { synced: 0, struck: 0, dead: 1, stale: 0 });
    const [dead] = await o.list(["dead"]);
    assert.equal(dead.record.event_id, poison.event_id);
    assert.equal(dead.record.attempts, MAX_STRIKES);
    assert.deepEqual(
      dead.record.errors,
      Array.from({ length: MAX_STRIKES }, (_, i) => `reason ${i + 1}`),
      "every reason is kept",
    );
    assert.deepEqual((await o.takePending(ALL)).map((p) => p.seq), [2, 3]);
    assert.deepEqual((await o.head()).stats.count, { pending: 2, held: 0, synced: 0, dead: 1 });
  });

  test("a dead verdict quarantines at once; events without a verdict are untouched", async (o) => {
    for (let i = 0; i < 3; i++) await o.append(pendingItem());
    const taken = await o.takePending(ALL);
    const report = await o.applyResults([
      ...verdictFor([taken[1]], { kind: "dead", reason: "413" }),
    ]);
    assert.deepEqual(counts(report), { synced: 0, struck: 0, dead: 1, stale: 0 });
    const rest = await o.takePending(ALL);
    assert.deepEqual(rest.map((p) => [p.seq, p.attempts]), [[1, 0], [3, 0]]);
    assert.deepEqual((await o.list(["dead"]))[0].record.errors, ["413"]);
  });

  test("a result naming another event at that place is stale (nothing changes)", async (o) => {
    await o.append(pendingItem());
    const [entry] = await o.takePending(ALL);
    const report = await o.applyResults([
      { seq: entry.seq, event_id: newEventId(), attempts: 0, verdict: { kind: "synced" } },
    ]);
    assert.equal(report.stale, 1);
    assert.equal((await o.takePending(ALL)).length, 1);
  });

  test("thousands of verdicts, with appends racing them, leave consistent counters", async (o) => {
    const n = 2_500;
    await Promise.all(Array.from({ length: n }, () => o.append(pendingItem())));
    const taken = await o.takePending(ALL);
    assert.equal(taken.length, n);
    const results = taken.map((p, i): DeliveryResult => ({
      seq: p.seq,
      event_id: p.event_id,
      attempts: p.attempts,
      verdict: i % 100 === 7 ? { kind: "strike", reason: "no" } : { kind: "synced" },
    }));
    const [report] = await Promise.all([
      o.applyResults(results),
      Promise.all(Array.from({ length: 200 }, () => o.append(pendingItem()))),
    ]);
    assert.deepEqual(counts(report), { synced: n - 25, struck: 25, dead: 0, stale: 0 });
    const { stats, clock } = await o.head();
    assert.equal(clock, n + 200);
    assert.equal(stats.count.pending, 225);
    assert.equal(stats.count.synced, SYNCED_LOG_LIMIT, "the synced log keeps the newest 1,000");
    assert.equal(stats.pending_retries["1-3 retries"], 25);
    const left = await o.takePending(ALL);
    assert.equal(left.length, 225);
    assert.equal(stats.bytes.pending, left.reduce((s, p) => s + p.bytes, 0));
    const synced = await o.list(["synced"]);
    assert.equal(synced.length, SYNCED_LOG_LIMIT);
    const newest = taken.filter((_, i) => i % 100 !== 7).slice(-SYNCED_LOG_LIMIT);
    assert.deepEqual(synced.map((e) => e.seq), newest.map((p) => p.seq), "the newest, in order");
    assert.equal(synced.at(-1)!.seq, taken.at(-1)!.seq);
  });

  test("dead letters: requeue resets strikes at the original place; drop deletes", async (o) => {
    for (let i = 0; i < 4; i++) await o.append(pendingItem());
    const taken = await o.takePending(ALL);
    await o.applyResults(verdictFor([taken[0], taken[2]], { kind: "dead", reason: "bad" }));
    const unknown = newEventId();
    const requeued = await o.requeueDead({ ids: [taken[2].event_id, unknown] });
    assert.deepEqual(requeued.done.map((d) => d.seq), [taken[2].seq]);
    assert.deepEqual(requeued.missing, [unknown]);
    const order = await o.takePending(ALL);
    assert.deepEqual(order.map((p) => p.seq), [2, 3, 4], "back at its own place");
    assert.equal(order[1].attempts, 0);
    const dropped = await o.dropDead({ all: true });
    assert.deepEqual(dropped.done.map((d) => d.event_id), [taken[0].event_id]);
    assert.deepEqual(await o.list(["dead"]), []);
    assert.deepEqual((await o.head()).stats.count, { pending: 3, held: 0, synced: 0, dead: 0 });
    assert.deepEqual((await o.requeueDead({ all: true })).done, []);
    // A dropped event id is forgotten: the same event may be stored again.
    assert.equal(
      (await o.append({ ...pendingItem(), event: envelope({ event_id: taken[0].event_id }) }))
        .status,
      "stored",
    );
  });

  test("the lease: one holder at a time, renewable, released, lapsing", async (o, clock) => {
    const a = { owner: "a", pid: 1, hostname: "h", purpose: "sync now" };
    const b = { owner: "b", pid: 2, hostname: "h", purpose: "exit delivery" };
    assert.equal(await o.currentLease(), null);
    assert.deepEqual(await o.acquireLease(a, 5_000), { acquired: true });
    const refused = await o.acquireLease(b, 5_000);
    assert.equal(refused.acquired, false);
    assert.equal(!refused.acquired && refused.holder.purpose, "sync now");
    clock.ms += 4_000;
    assert.equal(await o.renewLease(a, 5_000), true, "the holder renews");
    assert.equal(await o.renewLease(b, 5_000), false, "only the holder renews");
    clock.ms += 4_000;
    assert.equal((await o.acquireLease(b, 5_000)).acquired, false, "renewed: still held");
    await o.releaseLease("b");
    assert.equal((await o.currentLease())?.owner, "a", "only the holder releases");
    await o.releaseLease("a");
    assert.equal(await o.currentLease(), null);
    assert.equal(await o.renewLease(a, 5_000), false, "a released lease is not renewed");
    assert.equal(await o.currentLease(), null);
    assert.deepEqual(await o.acquireLease(b, 5_000), { acquired: true });
    clock.ms += 5_001;
    assert.equal(await o.currentLease(), null, "a crashed holder's lease lapses");
    assert.deepEqual(await o.acquireLease(a, 5_000), { acquired: true });
  });

  test(
    "the end of a run: the release records the outcome, even with the lease lost",
    async (o, clock) => {
      const a = { owner: "a", pid: 1, hostname: "h", purpose: "sync now" };
      const b = { owner: "b", pid: 2, hostname: "h", purpose: "exit delivery" };
      const t1 = new Date(Date.UTC(2026, 0, 1));
      const t2 = new Date(Date.UTC(2026, 0, 2));
      assert.deepEqual(await o.acquireLease(a, 5_000), { acquired: true });
      await o.releaseLease("a", {
        ok: false,
        at: t1,
        reason: "HTTP 503",
        category: "server_error",
      });
      assert.equal(await o.currentLease(), null, "released");
      assert.equal((await o.health()).consecutive_failures, 1, "and recorded");
      // A holder whose lease lapsed and was taken: its outcome counts, the new lease stays.
      assert.deepEqual(await o.acquireLease(a, 5_000), { acquired: true });
      clock.ms += 5_001;
      assert.deepEqual(await o.acquireLease(b, 5_000), { acquired: true });
      await o.releaseLease("a", { ok: true, at: t2 });
      assert.equal((await o.currentLease())?.owner, "b");
      const health = await o.health();
      assert.equal(health.consecutive_failures, 0);
      assert.equal(health.last_success_at, t2.toISOString());
      assert.equal(health.last_failure?.reason, "HTTP 503");
    },
  );

  test("sync health: attempts, failures in a row, reset by a success", async (o) => {
    const empty = await o.health();
    assert.deepEqual(empty, {
      last_attempt_at: null,
      last_success_at: null,
      last_failure: null,
      consecutive_failures: 0,
    });
    const t1 = new Date(Date.UTC(2026, 0, 1));
    const t2 = new Date(Date.UTC(2026, 0, 2));
    const t3 = new Date(Date.UTC(2026, 0, 3));
    await o.recordAttempt({ ok: false, at: t1, reason: "connection refused", category: "network" });
    const two = await o.recordAttempt({
      ok: false,
      at: t2,
      reason: "HTTP 503",
      category: "server_error",
    });
    assert.equal(two.consecutive_failures, 2);
    assert.deepEqual(two.last_failure, {
      at: t2.toISOString(),
      reason: "HTTP 503",
      category: "server_error",
    });
    const ok = await o.recordAttempt({ ok: true, at: t3 });
    assert.equal(ok.consecutive_failures, 0);
    assert.equal(ok.last_success_at, t3.toISOString());
    assert.equal(ok.last_failure?.reason, "HTTP 503", "the last failure stays visible");
    assert.deepEqual(await o.health(), ok);
  });
}
