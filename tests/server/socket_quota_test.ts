/**
 * The per-user WebSocket quota: counted places are given back however a socket ends, also when
 * its handshake never completes (a client that hung up before the upgrade finished).
 */
import assert from "node:assert/strict";
import { Hub } from "../../src/server/hub.ts";
import { MemoryBudget } from "../../src/server/memory_budget.ts";
import { DEFAULT_TIMINGS } from "../../src/server/limits.ts";
import { EventSocket } from "../../src/server/ws/event_socket.ts";
import { SocketQuota } from "../../src/server/ws/socket_quota.ts";
import type { Ingestor } from "../../src/server/ingest/ingest.ts";

Deno.test("quota: places per user, given back one at a time", () => {
  const quota = new SocketQuota(2);
  assert.ok(quota.take("alice"));
  assert.ok(quota.take("alice"));
  assert.equal(quota.take("alice"), false);
  assert.ok(quota.take("bob"));
  quota.give("alice");
  assert.ok(quota.take("alice"));
});

Deno.test("quota: a socket whose handshake never completes gives its place back", async () => {
  const quota = new SocketQuota(1);
  assert.ok(quota.take("alice"));
  // A socket that stays CONNECTING: no open, no close, no error event ever comes.
  const stuck = {
    readyState: WebSocket.CONNECTING,
    bufferedAmount: 0,
    binaryType: "blob",
    close() {},
    send() {},
  } as unknown as WebSocket;
  const hub = new Hub();
  let closed = 0;
  new EventSocket(stuck, { username: "alice", team: "acme", since: "" }, {
    ingestor: {} as Ingestor,
    hub,
    snapshot: () => Promise.resolve([]),
    timings: { ...DEFAULT_TIMINGS, openTimeoutMs: 50 },
    budget: new MemoryBudget(),
    onClosed: () => {
      closed++;
      quota.give("alice");
    },
    onError: () => {},
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(closed, 1);
  assert.ok(quota.take("alice"), "the place is free again");
  assert.equal(hub.size, 0);
});
