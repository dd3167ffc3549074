/**
 * Telling a client that reads slowly from one that stopped: progress is measured in the bytes the
 * socket has taken (Deno's bufferedAmount counts UTF-8 bytes), so a reader far behind on text that
 * is not ASCII is not mistaken for one that stopped.
 */
import assert from "node:assert/strict";
import { Broadcast, Hub } from "../../src/server/hub.ts";
import { DEFAULT_TIMINGS } from "../../src/server/limits.ts";
import { MemoryBudget } from "../../src/server/memory_budget.ts";
import { EventSocket } from "../../src/server/ws/event_socket.ts";
import type { Ingestor } from "../../src/server/ingest/ingest.ts";
import { statusEvent } from "./harness.ts";

const MiB = 1024 * 1024;

/** A socket whose client reads exactly what the test says. */
class FakeSocket {
  readyState: number = WebSocket.OPEN;
  binaryType = "blob";
  sent = 0;
  read = 0;
  closedWith: number | undefined;
  onopen?: () => void;
  onmessage?: unknown;
  onclose?: unknown;
  onerror?: unknown;
  get bufferedAmount(): number {
    return this.sent - this.read;
  }
  send(text: string) {
    this.sent += new TextEncoder().encode(text).length;
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = WebSocket.CLOSED;
  }
}

/** A broadcast of events whose actor is `chars` CJK characters (3 bytes each in UTF-8). */
function cjk(events: number, chars: number): Broadcast {
  return new Broadcast(Array.from({ length: events }, (_, i) => {
    const event = statusEvent({ lamport_clock: i + 1 });
    event.payload.actor = "漢".repeat(chars);
    return event;
  }));
}

Deno.test("slow reader: a client far behind on non-ASCII text that keeps reading stays open", async () => {
  const fake = new FakeSocket();
  const socket = new EventSocket(
    fake as unknown as WebSocket,
    { username: "alice", team: "acme", since: "" },
    {
      ingestor: {} as Ingestor,
      hub: new Hub(),
      snapshot: () => Promise.resolve([]),
      // No patience at all: any check without progress closes the socket.
      timings: { ...DEFAULT_TIMINGS, unreadTimeoutMs: 0 },
      budget: new MemoryBudget(),
      onClosed: () => {},
      onError: () => {},
    },
  );
  fake.onopen!();
  await new Promise((resolve) => setTimeout(resolve, 10)); // the snapshot goes out
  socket.deliver(cjk(150, 20_000)); // ~9 MB, nothing read yet
  fake.read += MiB / 2; // more than 8 MiB still unsent: the next check starts watching
  socket.deliver(cjk(5, 20_000)); // ~300 KB more
  fake.read += MiB / 8; // it read 128 KiB since: progress, though less than the text it got
  socket.deliver(cjk(1, 100));
  assert.equal(fake.closedWith, undefined, "still open");
  // Reading nothing at all between two checks is a stop.
  socket.deliver(cjk(1, 100));
  assert.equal(fake.closedWith, 1008);
});
