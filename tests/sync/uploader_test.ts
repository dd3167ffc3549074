/**
 * The uploader's decisions, with a scripted transport over a real (in-memory) KV outbox: what is
 * sent, in which order, what each answer does to the events, how long it waits.
 */
import assert from "node:assert/strict";
import type { TokenSource } from "../../src/auth/session.ts";
import { NotLoggedInError } from "../../src/auth/session.ts";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import type { PendingEntry } from "../../src/store/outbox.ts";
import type { DeliveryAnswer, EventTransport } from "../../src/transport/event_transport.ts";
import { TransportError } from "../../src/transport/http.ts";
import { BACKOFF_MAX_MS } from "../../src/sync/backoff.ts";
import { Uploader } from "../../src/sync/uploader.ts";
import { pendingItem } from "../store/outbox_conformance.ts";

type Script = (ids: string[], call: number) => DeliveryAnswer | Error;

interface Rig {
  outbox: KvOutbox;
  ids: string[];
  sent: string[][];
  sleeps: number[];
  tokens: { renewed: number };
  uploader: Uploader;
  close(): void;
}

const allSucceed = (ids: string[]): DeliveryAnswer => ({
  kind: "results",
  verdicts: new Map(ids.map((id) => [id, { status: "success" as const }])),
});

async function rig(events: number, script: Script, tokens?: TokenSource): Promise<Rig> {
  const kv = await Deno.openKv(":memory:");
  const outbox = new KvOutbox(kv);
  const ids: string[] = [];
  for (let i = 0; i < events; i++) ids.push((await outbox.append(pendingItem())).event!.event_id);
  const sent: string[][] = [];
  const sleeps: number[] = [];
  const counter = { renewed: 0 };
  const transport: EventTransport = {
    send(entries: readonly PendingEntry[]) {
      const batch = entries.map((e) => e.event_id);
      sent.push(batch);
      const answer = script(batch, sent.length);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  const uploader = new Uploader({
    outbox,
    transport,
    tokens: tokens ?? {
      access: () => Promise.resolve("access"),
      renew: () => {
        counter.renewed++;
        return Promise.resolve("renewed");
      },
    },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 1,
  });
  return { outbox, ids, sent, sleeps, tokens: counter, uploader, close: () => kv.close() };
}

async function pendingIds(outbox: KvOutbox): Promise<string[]> {
  return (await outbox.list(["pending"])).map((e) => e.record.event_id);
}

Deno.test("uploader: batches of at most 1,000, oldest first, all synced", async () => {
  const r = await rig(2_500, allSucceed);
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.deepEqual(r.sent.map((b) => b.length), [1000, 1000, 500]);
    assert.deepEqual(r.sent.flat(), r.ids, "FIFO, each event sent once");
    assert.equal(report.synced, 2_500);
    assert.equal(report.stopped, null);
    assert.deepEqual(await pendingIds(r.outbox), []);
  } finally {
    r.close();
  }
});

Deno.test("uploader: duplicates count apart; rejections strike; unnamed events are untouched", async () => {
  const r = await rig(4, (ids) => ({
    kind: "results",
    verdicts: new Map([
      [ids[0], { status: "duplicate" }],
      [ids[1], { status: "rejected", reason: "Invalid schema: missing field error_type" }],
      [ids[2], { status: "success" }],
    ]),
  }));
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.deepEqual([report.synced, report.duplicates, report.rejected], [1, 1, 1]);
    assert.equal(r.sent.length, 1, "struck and unnamed events wait for the next pass");
    assert.deepEqual(report.failures.map((f) => [f.event_id, f.category]), [
      [r.ids[1], "schema_mismatch"],
    ]);
    const left = await r.outbox.list(["pending"]);
    assert.deepEqual(left.map((e) => [e.record.event_id, e.record.attempts]), [
      [r.ids[1], 1],
      [r.ids[3], 0],
    ]);
  } finally {
    r.close();
  }
});

Deno.test("uploader: a 400 naming events strikes them and resends the rest without them", async () => {
  let poison = "";
  const r = await rig(5, (ids) =>
    ids.includes(poison)
      ? {
        kind: "named_rejections",
        rejected: new Map([[poison, "project_uuid authorization check failed"]]),
        error: "Batch validation failed",
      }
      : allSucceed(ids));
  poison = r.ids[2];
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.deepEqual(r.sent, [r.ids, r.ids.filter((id) => id !== poison)]);
    assert.equal(report.synced, 4);
    assert.equal(report.rejected, 1);
    assert.deepEqual(await pendingIds(r.outbox), [poison]);
  } finally {
    r.close();
  }
});

Deno.test("uploader: a 400 without details is bisected, in order, down to the poison event", async () => {
  let poison = "";
  const r = await rig(
    16,
    (ids) => ids.includes(poison) ? { kind: "bad_request", error: "Bad request" } : allSucceed(ids),
  );
  poison = r.ids[11];
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.equal(report.synced, 15);
    assert.equal(report.rejected, 1);
    assert.deepEqual(report.failures.map((f) => f.event_id), [poison]);
    // 16 bad → 8 ok, 8 bad → 4 bad → 2 ok, 2 bad → 1 ok, 1 bad (struck), then the last 4 ok.
    assert.deepEqual(r.sent.map((b) => b.length), [16, 8, 8, 4, 2, 2, 1, 1, 4]);
    const synced = r.sent.filter((b) => !b.includes(poison)).flat();
    assert.deepEqual(synced, r.ids.filter((id) => id !== poison), "order kept");
  } finally {
    r.close();
  }
});

Deno.test("uploader: 413 halves the batch and keeps it smaller; one event alone is dead", async () => {
  let huge = "";
  const r = await rig(
    1_000,
    (ids) =>
      ids.length > 300 || ids.includes(huge)
        ? { kind: "too_large", error: "Too many events" }
        : allSucceed(ids),
  );
  huge = r.ids[999];
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.equal(report.synced, 999);
    assert.equal(report.dead, 1);
    assert.equal(r.sent[0].length, 1000);
    assert.ok(r.sent.slice(1).every((b) => b.length <= 500), "the smaller size is kept");
    const [dead] = await r.outbox.list(["dead"]);
    assert.equal(dead.record.event_id, huge);
    assert.match(dead.record.errors[0], /too large for the server on its own/);
  } finally {
    r.close();
  }
});

Deno.test("uploader: a server that refuses even single events as too large stops the drain", async () => {
  const r = await rig(20, () => ({ kind: "too_large", error: "Payload Too Large" }));
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.equal(report.dead, 1, "one event alone is dead, once");
    assert.equal(report.stopped?.category, "server_limit");
    assert.equal((await pendingIds(r.outbox)).length, 19, "the others wait");
  } finally {
    r.close();
  }
});

Deno.test("uploader: events the server leaves out are counted as unanswered and stay", async () => {
  const r = await rig(3, (ids) => ({
    kind: "results",
    verdicts: new Map([[ids[0], { status: "success" as const }]]),
  }));
  try {
    const report = await r.uploader.drain({ maxRetries: 0 });
    assert.deepEqual([report.synced, report.unanswered], [1, 2]);
    assert.equal((await pendingIds(r.outbox)).length, 2);
  } finally {
    r.close();
  }
});

Deno.test("uploader: transient failures back off (Retry-After honoured, capped), never strike", async () => {
  const answers: Array<DeliveryAnswer | Error> = [
    new TransportError("network", "connection refused"),
    { kind: "retry", reason: "HTTP 503: busy", retryAfterMs: 7_000 },
    { kind: "retry", reason: "HTTP 429: slow down", retryAfterMs: 120_000 },
  ];
  const r = await rig(3, (ids, call) => answers[call - 1] ?? allSucceed(ids));
  try {
    const report = await r.uploader.drain({ maxRetries: 5 });
    assert.equal(report.synced, 3);
    assert.equal(report.rejected, 0);
    // random() = 1: the full doubling delay; Retry-After when longer, never past the ceiling.
    assert.deepEqual(r.sleeps, [500, 7_000, BACKOFF_MAX_MS]);
    assert.deepEqual((await r.outbox.list(["synced"])).map((e) => e.record.attempts), [0, 0, 0]);
  } finally {
    r.close();
  }
});

Deno.test("uploader: after maxRetries transient failures in a row it stops and says why", async () => {
  const r = await rig(
    2,
    () => ({ kind: "retry", reason: "HTTP 502: bad gateway", retryAfterMs: null }),
  );
  try {
    const report = await r.uploader.drain({ maxRetries: 3 });
    assert.equal(r.sent.length, 4);
    assert.deepEqual(r.sleeps, [500, 1_000, 2_000]);
    assert.equal(report.stopped?.kind, "transient");
    assert.equal(report.stopped?.category, "server_error");
    assert.match(report.stopped!.reason, /502/);
    assert.deepEqual((await r.outbox.list(["pending"])).map((e) => e.record.attempts), [0, 0]);
  } finally {
    r.close();
  }
});

Deno.test("uploader: a 401 renews the session once; a second 401 stops for a login", async () => {
  const once = await rig(
    2,
    (ids, call) => call === 1 ? { kind: "unauthorized", error: "token expired" } : allSucceed(ids),
  );
  try {
    const report = await once.uploader.drain({ maxRetries: 0 });
    assert.equal(report.synced, 2);
    assert.equal(once.tokens.renewed, 1);
  } finally {
    once.close();
  }
  const always = await rig(2, () => ({ kind: "unauthorized", error: "unknown user" }));
  try {
    const report = await always.uploader.drain({ maxRetries: 5 });
    assert.equal(always.sent.length, 2);
    assert.equal(always.tokens.renewed, 1);
    assert.equal(report.stopped?.kind, "auth");
    assert.match(report.stopped!.hint!, /auth login/);
  } finally {
    always.close();
  }
});

Deno.test("uploader: 403 and 412 stop at once with the server's reason", async () => {
  for (
    const answer of [
      { kind: "stop", category: "forbidden", reason: "HTTP 403: not your team", hint: "h" },
      { kind: "stop", category: "unsupported_protocol", reason: "speaks 3.0", hint: "h" },
    ] as const
  ) {
    const r = await rig(2, () => answer);
    try {
      const report = await r.uploader.drain({ maxRetries: 5 });
      assert.equal(r.sent.length, 1);
      assert.deepEqual(r.sleeps, []);
      assert.equal(report.stopped?.category, answer.category);
      assert.equal(report.stopped?.reason, answer.reason);
    } finally {
      r.close();
    }
  }
});

Deno.test("uploader: not logged in stops before anything is sent", async () => {
  const r = await rig(2, allSucceed, {
    access: () => Promise.reject(new NotLoggedInError("not logged in to http://x")),
    renew: () => Promise.reject(new Error("unused")),
  });
  try {
    const report = await r.uploader.drain({ maxRetries: 5 });
    assert.equal(r.sent.length, 0);
    assert.equal(report.stopped?.kind, "auth");
  } finally {
    r.close();
  }
});

Deno.test("uploader: an aborted signal (the exit budget) stops it, leaving events pending", async () => {
  const controller = new AbortController();
  const r = await rig(1_500, (ids) => {
    controller.abort();
    return allSucceed(ids);
  });
  try {
    const report = await r.uploader.drain({ maxRetries: 0, signal: controller.signal });
    assert.equal(report.synced, 1000, "the answer that arrived is applied");
    assert.equal(report.stopped?.kind, "out_of_time");
    assert.equal((await pendingIds(r.outbox)).length, 500);
  } finally {
    r.close();
  }
});
