/** The tap tells which events the server holds now, and never disturbs the delivery. */
import assert from "node:assert/strict";
import type { PendingEntry } from "../../src/store/outbox.ts";
import type { DeliveryAnswer, EventTransport } from "../../src/transport/event_transport.ts";
import { StoredEventsTap } from "../../src/transport/stored_events_tap.ts";

const entry = (id: string): PendingEntry => {
  const json = new TextEncoder().encode(JSON.stringify({ event_id: id }));
  return {
    seq: 1,
    event_id: id,
    event_type: "HistoryAdded",
    json,
    bytes: json.length,
    attempts: 0,
  };
};

const answering = (answer: DeliveryAnswer): EventTransport => ({
  send: () => Promise.resolve(answer),
});

Deno.test("stored events tap: success and duplicate are told, in order; the rest is not", async () => {
  const told: string[] = [];
  const answer: DeliveryAnswer = {
    kind: "results",
    verdicts: new Map([
      ["a", { status: "success" }],
      ["b", { status: "rejected", reason: "bad" }],
      ["c", { status: "duplicate" }],
    ]),
  };
  const tap = new StoredEventsTap(answering(answer), (e) => told.push(e.event_id));
  const got = await tap.send(["a", "b", "c", "d"].map(entry), "token");
  assert.equal(got, answer);
  assert.deepEqual(told, ["a", "c"]);
  const retry: DeliveryAnswer = { kind: "retry", reason: "down", retryAfterMs: null };
  assert.equal(
    await new StoredEventsTap(answering(retry), () => told.push("x")).send([], "t"),
    retry,
  );
  assert.deepEqual(told, ["a", "c"]);
});

Deno.test("stored events tap: a listener that throws changes nothing for the delivery", async () => {
  const answer: DeliveryAnswer = {
    kind: "results",
    verdicts: new Map([["a", { status: "success" }]]),
  };
  const tap = new StoredEventsTap(answering(answer), () => {
    throw new Error("broken pipe");
  });
  assert.equal(await tap.send([entry("a")], "token"), answer);
});
