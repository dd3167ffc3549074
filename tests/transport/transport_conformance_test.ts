/**
 * The event transports conformance suite: HTTP batches and the WebSocket, each against a real
 * reference server on loopback, must give the same verdicts for the same events.
 */
import assert from "node:assert/strict";
import type { Envelope } from "../../src/events/types.ts";
import type { PendingEntry } from "../../src/store/outbox.ts";
import type { EventTransport } from "../../src/transport/event_transport.ts";
import { HttpBatchTransport } from "../../src/transport/http_batch.ts";
import { WsConnection } from "../../src/transport/ws_connection.ts";
import { WsTransport } from "../../src/transport/ws_transport.ts";
import { login, startTestServer, statusEvent, type TestServer } from "../server/harness.ts";
import { wsToken } from "../server/ws_client.ts";

interface TransportUnderTest {
  transport: EventTransport;
  access: string;
  close(): Promise<void>;
}

type Factory = (server: TestServer) => Promise<TransportUnderTest>;

function entries(events: Envelope[]): PendingEntry[] {
  return events.map((event, i) => {
    const json = new TextEncoder().encode(JSON.stringify(event));
    return {
      seq: i + 1,
      event_id: event.event_id,
      event_type: event.event_type,
      json,
      bytes: json.length,
      attempts: 0,
    };
  });
}

function transportConformance(name: string, factory: Factory): void {
  const test = (title: string, fn: (t: TransportUnderTest, server: TestServer) => Promise<void>) =>
    Deno.test(`transport conformance (${name}): ${title}`, async () => {
      const server = await startTestServer();
      const t = await factory(server);
      try {
        await fn(t, server);
      } finally {
        await t.close();
        await server.close();
      }
    });

  test("each event gets its verdict: success, then duplicate on a repeat", async (t) => {
    const batch = entries([statusEvent(), statusEvent({ wp: "WP02" })]);
    const first = await t.transport.send(batch, t.access);
    assert.equal(first.kind, "results");
    assert.deepEqual(
      first.kind === "results" ? batch.map((e) => first.verdicts.get(e.event_id)) : [],
      [{ status: "success" }, { status: "success" }],
    );
    const again = await t.transport.send(batch, t.access);
    assert.deepEqual(
      again.kind === "results" ? batch.map((e) => again.verdicts.get(e.event_id)?.status) : [],
      ["duplicate", "duplicate"],
    );
  });

  test("an event the server refuses is rejected with its reason; the others are stored", async (t) => {
    const bad = statusEvent({ to: "nowhere" });
    const good = statusEvent();
    const answer = await t.transport.send(entries([bad, good]), t.access);
    assert.equal(answer.kind, "results");
    if (answer.kind !== "results") return;
    const verdict = answer.verdicts.get(bad.event_id);
    assert.equal(verdict?.status, "rejected");
    assert.match(verdict?.status === "rejected" ? verdict.reason : "", /to_lane/);
    assert.deepEqual(answer.verdicts.get(good.event_id), { status: "success" });
  });

  test("events without a project are refused, never stored", async (t, server) => {
    const held = statusEvent({ project_uuid: null });
    const answer = await t.transport.send(entries([held]), t.access);
    assert.equal(answer.kind, "results");
    assert.equal(
      answer.kind === "results" && answer.verdicts.get(held.event_id)?.status,
      "rejected",
    );
    assert.equal((await server.kv.get(["events", "acme", held.event_id])).versionstamp, null);
  });

  test(
    "a thousand events in one go, verdicts for all, in the server once each",
    async (t, server) => {
      const events = Array.from({ length: 1000 }, (_, i) => statusEvent({ lamport_clock: i + 1 }));
      const answer = await t.transport.send(entries(events), t.access);
      assert.equal(answer.kind, "results");
      assert.equal(answer.kind === "results" && answer.verdicts.size, 1000);
      let stored = 0;
      for await (const _ of server.kv.list({ prefix: ["events"] })) stored++;
      assert.equal(stored, 1000);
    },
  );
}

transportConformance("HTTP batch", async (server) => {
  const { access } = await login(server.url, "alice");
  return { transport: new HttpBatchTransport(server.url), access, close: () => Promise.resolve() };
});

transportConformance("WebSocket", async (server) => {
  const { access } = await login(server.url, "alice");
  const connection = await WsConnection.open(server.url, await wsToken(server.url, access), {
    timeoutMs: 5_000,
  });
  return {
    transport: new WsTransport(() => connection),
    access,
    close: () => connection.close(),
  };
});
