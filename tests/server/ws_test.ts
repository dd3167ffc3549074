/** `/ws/v1/events/`: auth, snapshot, acks, errors, frame limit, broadcast, heartbeat, dedup. */
import assert from "node:assert/strict";
import {
  login,
  postBatch,
  results,
  send,
  startTestServer,
  statusEvent,
  type TestServer,
} from "./harness.ts";
import { WsClient, wsToken } from "./ws_client.ts";
import type { ServerTimings } from "../../src/server/limits.ts";

async function withServer(
  run: (server: TestServer, access: string) => Promise<void>,
  timings?: Partial<ServerTimings>,
) {
  const server = await startTestServer({ timings });
  try {
    await run(server, (await login(server.url, "alice")).access);
  } finally {
    await server.close();
  }
}

async function connect(server: TestServer, access: string): Promise<WsClient> {
  const client = await WsClient.connect(server.url, await wsToken(server.url, access));
  assert.equal((await client.next()).type, "snapshot");
  return client;
}

Deno.test("ws: the upgrade needs a ws_token (401 without, or with an access token)", async () => {
  await withServer(async (server, access) => {
    for (const authorization of [undefined, `Bearer ${access}`, "Bearer junk"]) {
      const response = await send(`${server.url}/ws/v1/events/`, {
        headers: {
          upgrade: "websocket",
          connection: "Upgrade",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          "sec-websocket-version": "13",
          ...(authorization ? { authorization } : {}),
        },
      });
      assert.equal(response.status, 401, String(authorization));
    }
  });
});

Deno.test("ws: snapshot first, then one ack per event in order; invalid JSON keeps it open", async () => {
  await withServer(async (server, access) => {
    await postBatch(server.url, access, [statusEvent({ wp: "WP07", to: "for_review" })]);
    const client = await WsClient.connect(server.url, await wsToken(server.url, access));
    try {
      const snapshot = await client.next();
      assert.equal(snapshot.type, "snapshot");
      const wps = snapshot.work_packages as Array<Record<string, unknown>>;
      assert.deepEqual(wps.map((w) => [w.wp_id, w.lane]), [["WP07", "for_review"]]);

      const a = statusEvent({ lamport_clock: 5 });
      const b = statusEvent({ lamport_clock: 6 });
      const bad = { ...statusEvent(), payload: { wp_id: "WP01" } };
      client.send(a);
      client.send("{not json");
      client.send(bad);
      client.send(b);
      client.send(a);
      const replies = [];
      for (let i = 0; i < 5; i++) replies.push(await client.next());
      // Replies come in the order the frames arrived: the error frame sits between the acks.
      assert.deepEqual(
        replies.map((f) => [f.type, f.event_id, f.status]),
        [
          ["ack", a.event_id, "success"],
          ["error", undefined, undefined],
          ["ack", bad.event_id, "rejected"],
          ["ack", b.event_id, "success"],
          ["ack", a.event_id, "duplicate"],
        ],
      );
      assert.match(String(replies[1].error), /invalid JSON/);
      const acks = replies.filter((f) => f.type === "ack");
      assert.match(String(acks[1].error), /missing required field/);
      assert.equal("error" in acks[0], false);
    } finally {
      await client.close();
    }
  });
});

Deno.test("ws: a frame over 64 KiB closes the socket with 1009", async () => {
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    client.send("x".repeat(64 * 1024 + 1));
    const closed = await client.closed;
    assert.equal(closed.code, 1009);
  });
});

Deno.test("ws: events are broadcast to the team's other connections, not to the sender or other teams", async () => {
  await withServer(async (server, access) => {
    const sender = await connect(server, access);
    const mate = await connect(server, (await login(server.url, "bob")).access);
    const rival = await connect(server, (await login(server.url, "eve")).access);
    try {
      const event = statusEvent({ to: "for_review" });
      sender.send(event);
      assert.equal((await sender.next()).status, "success");
      const pushed = await mate.next();
      assert.equal(pushed.type, "event");
      assert.equal(pushed.event_id, event.event_id);
      assert.deepEqual(pushed.payload, event.payload);

      // Batch uploads are pushed to every open socket of the team.
      const viaHttp = statusEvent({ to: "done", lamport_clock: 2 });
      await postBatch(server.url, access, [viaHttp]);
      assert.equal((await sender.next()).event_id, viaHttp.event_id);
      assert.equal((await mate.next()).event_id, viaHttp.event_id);

      // The rival team heard nothing: its next frame is the ack of its own event.
      const own = statusEvent({ project_uuid: "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01" });
      rival.send(own);
      const frame = await rival.next();
      assert.deepEqual([frame.type, frame.event_id], ["ack", own.event_id]);
    } finally {
      await Promise.all([sender.close(), mate.close(), rival.close()]);
    }
  });
});

Deno.test("ws: dedup works across WebSocket and HTTP in both directions", async () => {
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    try {
      const first = statusEvent({ lamport_clock: 1 });
      client.send(first);
      assert.equal((await client.next()).status, "success");
      assert.equal(results(await postBatch(server.url, access, [first]))[0].status, "duplicate");

      const second = statusEvent({ lamport_clock: 2 });
      assert.equal(results(await postBatch(server.url, access, [second]))[0].status, "success");
      assert.equal((await client.next()).type, "event"); // the broadcast of `second`
      client.send(second);
      const ack = await client.next();
      assert.deepEqual([ack.event_id, ack.status], [second.event_id, "duplicate"]);
    } finally {
      await client.close();
    }
  });
});

Deno.test("ws: the server pings; a pong keeps the socket, silence closes it", async () => {
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    const ping = await client.next();
    assert.equal(ping.type, "ping");
    assert.equal(typeof ping.timestamp, "string");
    client.send({ type: "pong", timestamp: ping.timestamp });
    // Answered: the next ping comes and the socket is still open.
    assert.equal((await client.next()).type, "ping");
    assert.equal(client.socket.readyState, WebSocket.OPEN);
    // Not answered: closed by the server.
    const closed = await client.closed;
    assert.equal(closed.code, 4408);
  }, { pingIntervalMs: 100, pongTimeoutMs: 250 });
});

Deno.test("ws: a client ping gets a pong; unknown types get an error frame; binary frames count", async () => {
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    try {
      client.send({ type: "ping", timestamp: 42 });
      assert.deepEqual(await client.next(), { type: "pong", timestamp: 42 });
      client.send({ type: "subscribe" });
      assert.equal((await client.next()).type, "error");
      client.send([1, 2]);
      assert.equal((await client.next()).type, "error");
      // A binary frame is read as UTF-8 JSON like a text frame.
      const event = statusEvent();
      client.socket.send(new TextEncoder().encode(JSON.stringify(event)));
      const ack = await client.next();
      assert.deepEqual([ack.type, ack.event_id, ack.status], ["ack", event.event_id, "success"]);
    } finally {
      await client.close();
    }
  });
});

Deno.test("ws: shutdown closes open sockets with 1001", async () => {
  const server = await startTestServer();
  const access = (await login(server.url, "alice")).access;
  const client = await connect(server, access);
  await server.close();
  assert.equal((await client.closed).code, 1001);
});
