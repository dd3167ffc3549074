/** The KV outbox's own properties on a real KV file (one commit for the clock and the event,
 * group commit, eviction limits, guards); behaviour every outbox shares is in the conformance
 * suite (`outbox_conformance.ts`). */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Envelope } from "../../src/events/types.ts";
import { newEventId } from "../../src/events/ulid.ts";
import { appendBatch, type AppendItem } from "../../src/store/append.ts";
import { entryKey, HEAD_KEY, indexKey } from "../../src/store/keys.ts";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import { decodeRecord, type StoredRecord } from "../../src/store/records.ts";
import { listState, listStates, readClock, readStats, streamStates } from "../../src/store/read.ts";
import type { Head } from "../../src/store/stats.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

function item(state: "pending" | "held" = "pending", type = "WPCreated"): AppendItem {
  const event = {
    event_id: newEventId(),
    event_type: type,
    aggregate_id: "WP01",
    aggregate_type: "WorkPackage",
    payload: { wp_id: "WP01", title: "t", feature_slug: "001-x" },
    node_id: "a1b2c3d4e5f6",
    lamport_clock: 0,
    causation_id: null,
    timestamp: "2026-02-12T10:00:00.000000+00:00",
    team_slug: "local",
    project_uuid: state === "pending" ? "550e8400-e29b-41d4-a716-446655440000" : null,
    project_slug: null,
    git_branch: null,
    head_commit_sha: null,
    repo_slug: null,
  } as Envelope;
  return { event, state, bytes: JSON.stringify(event).length };
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const kv = await Deno.openKv(join(dir, "kittify.kv"));
  try {
    await fn(kv);
  } finally {
    kv.close();
    await removeTree(dir);
  }
}

Deno.test("the clock and the event are written by the same commit", async () => {
  await withKv(async (kv) => {
    const result = await appendBatch(kv, [item()], 100);
    const stored = result.outcomes[0].event!;
    assert.equal(stored.lamport_clock, 1);
    const [head, entry, index] = await kv.getMany<[Head, StoredRecord, unknown]>([
      HEAD_KEY,
      entryKey("pending", 1),
      indexKey(stored.event_id),
    ]);
    assert.equal(head.value?.clock, 1);
    assert.ok(entry.versionstamp !== null);
    assert.equal(head.versionstamp, entry.versionstamp, "one commit, one versionstamp");
    assert.equal(index.versionstamp, entry.versionstamp);
    assert.deepEqual(decodeRecord(entry.value!).event, stored);
  });
});

Deno.test("a duplicate event id is a no-op that spends no Lamport value", async () => {
  await withKv(async (kv) => {
    const first = item();
    await appendBatch(kv, [first], 100);
    const again = await appendBatch(kv, [first, item()], 100);
    assert.equal(again.outcomes[0].status, "duplicate");
    assert.equal(again.outcomes[1].status, "stored");
    assert.equal(again.outcomes[1].event!.lamport_clock, 2);
    const inBatch = item();
    const twice = await appendBatch(kv, [inBatch, inBatch], 100);
    assert.deepEqual(twice.outcomes.map((o) => o.status), ["stored", "duplicate"]);
    assert.equal(await readClock(kv), 3);
    assert.equal((await readStats(kv)).count.pending, 3);
    assert.equal((await listState(kv, "pending")).length, 3);
  });
});

Deno.test("entries come back FIFO by commit order; held events are kept apart", async () => {
  await withKv(async (kv) => {
    const outbox = new KvOutbox(kv, 1000);
    const items = [item(), item("held"), item(), item("held"), item()];
    for (const i of items) await outbox.append(i);
    const all = await listStates(kv, ["pending", "held", "synced", "dead"]);
    assert.deepEqual(all.map((e) => e.record.event.event_id), items.map((i) => i.event.event_id));
    assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(all.map((e) => e.state), ["pending", "held", "pending", "held", "pending"]);
    const stats = await readStats(kv);
    assert.deepEqual(stats.count, { pending: 3, held: 2, synced: 0, dead: 0 });
    const bytes = items.filter((i) => i.state === "held").reduce((n, i) => n + i.bytes, 0);
    assert.equal(stats.bytes.held, bytes);
    assert.deepEqual(stats.pending_types, { WPCreated: 3 });
    assert.equal(stats.pending_retries["0 retries"], 3);
    assert.deepEqual((await listStates(kv, ["pending", "held"], 2)).map((e) => e.seq), [1, 2]);
    // Streamed one at a time: the same entries in the same order, and the limit holds.
    const streamed = [];
    for await (const e of streamStates(kv, ["pending", "held", "synced", "dead"])) streamed.push(e);
    assert.deepEqual(streamed, all);
    const two = [];
    for await (const e of streamStates(kv, ["held", "pending"], 2)) two.push(e.seq);
    assert.deepEqual(two, [1, 2]);
  });
});

Deno.test("at capacity the oldest pending events are evicted and counted", async () => {
  await withKv(async (kv) => {
    const outbox = new KvOutbox(kv, 3);
    const items = Array.from({ length: 5 }, () => item());
    const evictions: number[] = [];
    for (const i of items) evictions.push((await outbox.append(i)).evicted);
    assert.deepEqual(evictions, [0, 0, 0, 1, 1]);
    const left = await listState(kv, "pending");
    assert.deepEqual(
      left.map((e) => e.record.event.event_id),
      items.slice(2).map((i) => i.event.event_id),
    );
    const stats = await readStats(kv);
    assert.equal(stats.evicted, 2);
    assert.equal(stats.count.pending, 3);
    assert.equal(stats.bytes.pending, left.reduce((n, e) => n + e.record.bytes, 0));
    assert.equal((await kv.get(indexKey(items[0].event.event_id))).versionstamp, null);
    // A batch larger than the capacity keeps only its newest events.
    const burst = Array.from({ length: 5 }, () => item());
    const result = await appendBatch(kv, burst, 3);
    assert.deepEqual(result.outcomes.map((o) => o.status), [
      "evicted",
      "evicted",
      "stored",
      "stored",
      "stored",
    ]);
    assert.equal(result.evicted, 5);
    assert.equal((await readStats(kv)).evicted, 7);
    assert.equal((await readStats(kv)).count.pending, 3);
    // Held events have their own capacity.
    await outbox.append(item("held"));
    assert.equal((await readStats(kv)).count.held, 1);
  });
});

Deno.test("concurrent appends share commits (group commit); each one gets its own Lamport value", async () => {
  await withKv(async (kv) => {
    const outbox = new KvOutbox(kv, 10_000);
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => outbox.append(item())));
    const lamports = outcomes.map((o) => o.event!.lamport_clock);
    assert.equal(new Set(lamports).size, 500);
    assert.deepEqual([...lamports].sort((a, b) => a - b), lamports, "submission order kept");
    assert.equal(await readClock(kv), 500);
    const entries = [];
    for await (const e of kv.list({ prefix: ["outbox", "pending"] })) entries.push(e);
    const commits = new Set(entries.map((e) => e.versionstamp)).size;
    assert.ok(commits < 50, `500 appends in ${commits} commits`);
    // A single awaited append is one commit of its own.
    const single = await outbox.append(item());
    const [head, entry] = await kv.getMany([HEAD_KEY, entryKey("pending", 501)]);
    assert.equal(single.event!.lamport_clock, 501);
    assert.equal(head.versionstamp, entry.versionstamp);
  });
});

Deno.test("events are stored as their UTF-8 JSON, so a 60 KiB event always fits a KV value", async () => {
  await withKv(async (kv) => {
    const big = item("pending", "HistoryAdded");
    // One non-Latin-1 character makes V8 store the whole string with two bytes per character.
    big.event.payload = { entry_content: `€${"x".repeat(59 * 1024)}` };
    const result = await appendBatch(kv, [big, item()], 100);
    assert.deepEqual(result.outcomes.map((o) => o.status), ["stored", "stored"]);
    const [entry] = await listState(kv, "pending", 1);
    assert.equal(
      entry.record.bytes,
      new TextEncoder().encode(JSON.stringify(entry.record.event)).length,
    );
    assert.deepEqual(entry.record.event, result.outcomes[0].event);
  });
});

Deno.test("a capacity lowered far below the backlog keeps new events and converges", async () => {
  await withKv(async (kv) => {
    await appendBatch(kv, Array.from({ length: 90 }, () => item()), 1000);
    await appendBatch(kv, Array.from({ length: 90 }, () => item()), 1000);
    await appendBatch(kv, Array.from({ length: 90 }, () => item()), 1000);
    await appendBatch(kv, Array.from({ length: 90 }, () => item()), 1000);
    const fresh = item();
    const first = await appendBatch(kv, [fresh], 10);
    assert.equal(first.outcomes[0].status, "stored", "the new event is kept");
    assert.equal(first.evicted, 200, "bounded evictions per commit");
    const second = await appendBatch(kv, [item()], 10);
    assert.equal(second.evicted, 152);
    const stats = await readStats(kv);
    assert.equal(stats.count.pending, 10);
    assert.equal(stats.evicted, 352);
    assert.equal((await listState(kv, "pending")).length, 10);
  });
});

Deno.test("a guarded event and its mark are written by the same commit, or not at all", async () => {
  await withKv(async (kv) => {
    const mark = ["work", "announced", "p", "001-x", "WP01"];
    const first = await appendBatch(
      kv,
      [{ ...item(), guard: { key: mark, versionstamp: null } }],
      100,
    );
    assert.equal(first.outcomes[0].status, "stored");
    const stored = first.outcomes[0].event!;
    const [markEntry, entry] = await kv.getMany<[{ event_id: string }, StoredRecord]>([
      mark,
      entryKey("pending", stored.lamport_clock),
    ]);
    assert.equal(markEntry.value?.event_id, stored.event_id);
    assert.equal(markEntry.versionstamp, entry.versionstamp, "one commit, one versionstamp");

    // The mark exists now: a second announcement is blocked and spends no Lamport value.
    const again = await appendBatch(
      kv,
      [{ ...item(), guard: { key: mark, versionstamp: null } }],
      100,
    );
    assert.deepEqual(again.outcomes[0], { status: "blocked", event: null });
    assert.equal(await readClock(kv), 1);
    assert.equal((await listState(kv, "pending", 10)).length, 1);
  });
});

Deno.test("concurrent guarded appends of one mark store exactly one event", async () => {
  await withKv(async (kv) => {
    const outbox = new KvOutbox(kv, 1000);
    const mark = ["work", "completed", "p", "001-x"];
    // Unguarded traffic shares the commits; the guards make each commit carry extra checks.
    const outcomes = await Promise.all(
      Array.from(
        { length: 120 },
        (_, i) =>
          outbox.append(i % 2 ? item() : { ...item(), guard: { key: mark, versionstamp: null } }),
      ),
    );
    const guarded = outcomes.filter((_, i) => i % 2 === 0);
    assert.equal(guarded.filter((o) => o.status === "stored").length, 1);
    assert.equal(guarded.filter((o) => o.status === "blocked").length, 59);
    assert.equal(outcomes.filter((_, i) => i % 2 === 1 && _.status === "stored").length, 60);
    assert.equal((await listState(kv, "pending", 1000)).length, 61);
  });
});

Deno.test("two items guarding one mark in the same batch: only the first is stored", async () => {
  await withKv(async (kv) => {
    const guard = { key: ["work", "announced", "p", "001-x", "WP02"], versionstamp: null };
    const result = await appendBatch(kv, [{ ...item(), guard }, item(), { ...item(), guard }], 100);
    assert.deepEqual(result.outcomes.map((o) => o.status), ["stored", "stored", "blocked"]);
    assert.equal(await readClock(kv), 2);
  });
});
