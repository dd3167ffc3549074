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

Deno.test("ws: a user may have 4 sockets open at once; the next upgrade is a 429", async () => {
  await withServer(async (server, access) => {
    const open = await Promise.all(Array.from({ length: 4 }, () => connect(server, access)));
    const refused = await send(`${server.url}/ws/v1/events/`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        authorization: `Bearer ${await wsToken(server.url, access)}`,
      },
    });
    assert.equal(refused.status, 429);
    assert.match(String((refused.body as { details: string }).details), /at most 4 WebSockets/);
    // Another user is not affected; a closed socket frees a place.
    const bob = await connect(server, (await login(server.url, "bob")).access);
    await open[0].close();
    const again = await connect(server, access);
    for (const client of [...open.slice(1), bob, again]) await client.close();
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

Deno.test("ws: an event without project_uuid (null or missing) is rejected alone, the socket stays", async () => {
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    try {
      const outside = statusEvent({ project_uuid: null, lamport_clock: 1 });
      const missing: Record<string, unknown> = { ...statusEvent({ lamport_clock: 2 }) };
      delete missing.project_uuid;
      const inside = statusEvent({ lamport_clock: 3 });
      // Sent together, so they may be stored as one group (one ingest call).
      client.send(outside);
      client.send(missing);
      client.send(inside);
      const acks = [await client.next(), await client.next(), await client.next()];
      assert.deepEqual(acks, [
        {
          type: "ack",
          event_id: outside.event_id,
          status: "rejected",
          error: "Invalid event: project_uuid is missing (events outside a project stay local)",
        },
        {
          type: "ack",
          event_id: missing.event_id,
          status: "rejected",
          error: "Invalid event: project_uuid: missing required envelope field",
        },
        { type: "ack", event_id: inside.event_id, status: "success" },
      ]);
      assert.equal(client.socket.readyState, WebSocket.OPEN);
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
  const timings = { pingIntervalMs: 50, pongTimeoutMs: 1_000 };
  // Answered pings spanning more than twice the pong timeout: only the pongs can have kept the
  // socket open that long (the count of pings is the clock, nothing here is timed).
  const answered = Math.ceil((2 * timings.pongTimeoutMs) / timings.pingIntervalMs) + 1;
  await withServer(async (server, access) => {
    const client = await connect(server, access);
    for (let i = 0; i < answered; i++) {
      const ping = await client.next();
      assert.equal(ping.type, "ping");
      assert.equal(typeof ping.timestamp, "string");
      client.send({ type: "pong", timestamp: ping.timestamp });
    }
    assert.equal(client.socket.readyState, WebSocket.OPEN);
    // Not answered any more: closed by the server.
    const closed = await client.closed;
    assert.equal(closed.code, 4408);
  }, timings);
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

/**
 * Reads a server's (unmasked) WebSocket frames from raw bytes, skipping payloads, until a close
 * frame: returns its code.
 */
class CloseFinder {
  private header = new Uint8Array(0);
  private skip = 0;
  code: number | undefined;

  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && this.code === undefined) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const merged = new Uint8Array(this.header.length + chunk.length - at);
      merged.set(this.header);
      merged.set(chunk.subarray(at), this.header.length);
      const parsed = parseHeader(merged);
      if (!parsed) {
        this.header = merged;
        return;
      }
      const used = parsed.size - this.header.length;
      this.header = new Uint8Array(0);
      at += used;
      if (parsed.opcode === 0x8) {
        const rest = merged.subarray(parsed.size);
        this.code = rest.length >= 2 ? (rest[0] << 8) | rest[1] : -1;
        return;
      }
      this.skip = parsed.length;
    }
  }
}

function parseHeader(
  bytes: Uint8Array,
): { opcode: number; length: number; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const opcode = bytes[0] & 0x0f;
  const short = bytes[1] & 0x7f;
  if (short < 126) return { opcode, length: short, size: 2 };
  if (short === 126) {
    return bytes.length < 4 ? undefined : { opcode, length: (bytes[2] << 8) | bytes[3], size: 4 };
  }
  if (bytes.length < 10) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + 2, 8);
  return { opcode, length: Number(view.getBigUint64(0)), size: 10 };
}

/** A WebSocket client on a raw TCP connection, which reads only when the test says so. */
interface RawClient {
  frames: CloseFinder;
  /** Sends one masked text frame, as a client must. */
  sendText(text: string): Promise<void>;
  /** Reads until the server's close frame (or the end): its code. */
  readUntilClose(): Promise<number | undefined>;
  close(): void;
}

async function rawClient(server: TestServer, token: string): Promise<RawClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(new TextEncoder().encode(
    `GET /ws/v1/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
      `Sec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  ));
  const frames = new CloseFinder();
  const reader = conn.readable.getReader();
  // The 101 response; what follows its blank line is already WebSocket frames.
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const { value } = await reader.read();
    assert.ok(value, "connection closed during the upgrade");
    const text = new TextDecoder("latin1").decode(value);
    const end = (head + text).indexOf("\r\n\r\n");
    if (end >= 0) frames.feed(value.subarray(end + 4 - head.length));
    head += text;
  }
  assert.match(head, /^HTTP\/1.1 101/);
  return {
    frames,
    sendText: async (text) => {
      const payload = new TextEncoder().encode(text);
      const mask = crypto.getRandomValues(new Uint8Array(4));
      const header = payload.length < 126
        ? [0x81, 0x80 | payload.length]
        : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
      const frame = new Uint8Array(header.length + 4 + payload.length);
      frame.set(header);
      frame.set(mask, header.length);
      payload.forEach((byte, i) => frame[header.length + 4 + i] = byte ^ mask[i % 4]);
      await conn.write(frame);
    },
    readUntilClose: async () => {
      while (frames.code === undefined) {
        const { value, done } = await reader.read();
        if (done) break;
        frames.feed(value);
      }
      return frames.code;
    },
    close: () => {
      reader.releaseLock();
      conn.close();
    },
  };
}

/** `count` status events of ~50 KB each (a long actor), from lamport `from` on. */
function bigEvents(count: number, from: number) {
  return Array.from({ length: count }, (_, i) => {
    const event = statusEvent({ lamport_clock: from + i });
    event.payload.actor = "x".repeat(50_000);
    return event;
  });
}

/** `promise`, or a failure naming `what` after `ms` (a test must not wait forever). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("ws: a client that stops reading is closed (1008) instead of buffering every broadcast", async () => {
  await withServer(async (server, access) => {
    const client = await rawClient(server, await wsToken(server.url, access));
    try {
      // Read nothing while the team uploads ~48 MB of events to broadcast: past 32 MiB unsent
      // the socket is closed at once.
      const bob = (await login(server.url, "bob")).access;
      for (let batch = 0; batch < 8; batch++) {
        assert.equal((await postBatch(server.url, bob, bigEvents(120, batch * 1000))).status, 200);
      }
      // Then read what the server queued: it ends with a policy close, not with every event.
      assert.equal(await client.readUntilClose(), 1008);
    } finally {
      client.close();
    }
    // Heartbeats bound the test if the server kept buffering: silence closes it with 4408 later.
  }, { pingIntervalMs: 1_000, pongTimeoutMs: 10_000 });
});

Deno.test("ws: a client more than 8 MiB behind that takes nothing for a while is closed (1008)", async () => {
  await withServer(async (server, access) => {
    const client = await rawClient(server, await wsToken(server.url, access));
    try {
      const bob = (await login(server.url, "bob")).access;
      for (let batch = 0; batch < 3; batch++) {
        assert.equal((await postBatch(server.url, bob, bigEvents(120, batch * 1000))).status, 200);
      }
      // ~18 MB unsent (less what the kernel took) and nothing taken: the heartbeats find it stalled past unreadTimeoutMs.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(await client.readUntilClose(), 1008);
    } finally {
      client.close();
    }
  }, { pingIntervalMs: 100, pongTimeoutMs: 60_000, unreadTimeoutMs: 300 });
});

Deno.test("ws: an event from a client that stopped reading is stored and broadcast to the team", async () => {
  await withServer(async (server, access) => {
    const client = await rawClient(server, await wsToken(server.url, access));
    const mate = await connect(server, (await login(server.url, "bob")).access);
    try {
      // ~45 MB broadcast: the unread client's socket is now past the 32 MiB limit; the mate
      // reads all of it.
      for (let batch = 0; batch < 3; batch++) {
        const flood = bigEvents(300, batch * 1000);
        assert.equal((await postBatch(server.url, access, flood)).status, 200);
        for (const event of flood) {
          assert.equal((await within(10_000, "flood", mate.next())).event_id, event.event_id);
        }
      }
      const own = statusEvent({ lamport_clock: 5_000 });
      await client.sendText(JSON.stringify(own));
      // The sender is closed for not reading, but what it sent was stored and reaches the team.
      assert.equal((await within(10_000, "broadcast", mate.next())).event_id, own.event_id);
      assert.equal(await client.readUntilClose(), 1008);
    } finally {
      client.close();
      await mate.close();
    }
  });
});

Deno.test("ws: a reading client gets broadcasts larger than the unsent-data limit in full", async () => {
  await withServer(async (server, access) => {
    const mate = await connect(server, (await login(server.url, "bob")).access);
    try {
      // Two batches of ~10 MB back to back: more than the 8 MiB limit, queued faster than read.
      const events = [...bigEvents(200, 0), ...bigEvents(200, 1000)];
      assert.equal((await postBatch(server.url, access, events.slice(0, 200))).status, 200);
      assert.equal((await postBatch(server.url, access, events.slice(200))).status, 200);
      const received = new Set<unknown>();
      for (let i = 0; i < events.length; i++) received.add((await mate.next()).event_id);
      assert.deepEqual(received, new Set(events.map((event) => event.event_id)));
      assert.equal(mate.socket.readyState, WebSocket.OPEN);
    } finally {
      await mate.close();
    }
  });
});
