/**
 * The server's memory budget: event data in flight is bounded for all requests and sockets
 * together; past it a batch gets 503 with Retry-After (and loses nothing: the client retries), a
 * WebSocket closes with 1013; part of the budget stays free for small requests, so other teams'
 * uploads get through while large ones fill the rest.
 */
import assert from "node:assert/strict";
import { MemoryBudget } from "../../src/server/memory_budget.ts";
import { login, postBatch, results, startTestServer, statusEvent } from "./harness.ts";
import { WsClient, wsToken } from "./ws_client.ts";

Deno.test("budget: claims grow and shrink; large claims leave the small reserve alone", () => {
  const budget = new MemoryBudget({
    totalBytes: 1000,
    smallReserveBytes: 300,
    smallRequestBytes: 100,
    perUserBytes: 1000,
  });
  const large = budget.claim("alice");
  assert.ok(large.grow(600));
  assert.ok(large.grow(100));
  assert.equal(large.grow(1), false, "large claims stop at total − reserve");
  const small = budget.claim("bob");
  assert.ok(small.grow(100), "a small claim may use the reserve");
  assert.equal(small.grow(1), false, "…while it stays small");
  const other = budget.claim("carol");
  assert.ok(other.grow(100));
  assert.equal(budget.inUse, 900);
  large.shrink(200);
  assert.equal(budget.inUse, 700);
  large.release();
  large.release();
  small.release();
  other.release();
  assert.equal(budget.inUse, 0);
});

Deno.test("budget: one user holds at most its share, however many requests it has open", () => {
  const budget = new MemoryBudget({
    totalBytes: 1000,
    smallReserveBytes: 0,
    smallRequestBytes: 100,
    perUserBytes: 400,
  });
  const claims = Array.from({ length: 10 }, () => budget.claim("mallory"));
  const held = claims.filter((claim) => claim.grow(90)).length;
  assert.equal(held, 4, "four small requests of 90 bytes fit in 400");
  assert.ok(budget.claim("alice").grow(90), "others are not affected");
  for (const claim of claims) claim.release();
  assert.ok(budget.claim("mallory").grow(90));
});

/** A batch upload (identity encoding) whose body arrives in two parts, the second on request. */
function slowUpload(url: string, token: string, first: Uint8Array, rest: Uint8Array) {
  let finish!: () => void;
  const resume = new Promise<void>((resolve) => (finish = resolve));
  let sentFirst!: () => void;
  const started = new Promise<void>((resolve) => (sentFirst = resolve));
  let part = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (part++ === 0) {
        controller.enqueue(first);
        sentFirst();
        return;
      }
      await resume;
      controller.enqueue(rest);
      controller.close();
    },
  });
  const response = fetch(`${url}/api/v1/events/batch/`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  return { started, finish, response };
}

Deno.test("budget: past it a large batch is a 503 with Retry-After; small ones still pass", async () => {
  const server = await startTestServer({
    budget: {
      totalBytes: 600_000,
      smallReserveBytes: 100_000,
      smallRequestBytes: 50_000,
      perUserBytes: 600_000,
    },
  });
  try {
    const alice = (await login(server.url, "alice")).access;
    const eve = (await login(server.url, "eve")).access;
    const bulk = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => {
        const event = statusEvent({ lamport_clock: from + i });
        event.payload.actor = "x".repeat(1000);
        return event;
      });
    // ~350 KB of alice's batch arrives, then the upload pauses, holding that much.
    const held = JSON.stringify({ events: bulk(250, 0) });
    const cut = held.length - 100;
    const encoder = new TextEncoder();
    const upload = slowUpload(
      server.url,
      alice,
      encoder.encode(held.slice(0, cut)),
      encoder.encode(held.slice(cut)),
    );
    await upload.started;
    try {
      for (let i = 0; i < 100 && server.memoryInUse() < cut; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(server.memoryInUse() >= cut, "the paused upload holds its bytes");

      // Another large batch (~140 KB) does not fit beside it: 503, try again in a second.
      const refused = await postBatch(server.url, alice, bulk(100, 1000), { gzip: false });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "1");
      // A small batch of another team uses the reserve.
      const small = await postBatch(server.url, eve, [
        statusEvent({ project_uuid: "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01" }),
      ]);
      assert.equal(small.status, 200);
    } finally {
      upload.finish();
    }
    const done = await upload.response;
    assert.equal(done.status, 200);
    const body = await done.json() as { results: Array<{ status: string }> };
    assert.ok(body.results.every((r) => r.status === "success"));
    assert.equal(server.memoryInUse(), 0, "everything was given back");
    // Now it fits.
    const again = await postBatch(server.url, alice, bulk(100, 1000), { gzip: false });
    assert.equal(again.status, 200);
    assert.ok(results(again).every((r) => r.status === "success"));
  } finally {
    await server.close();
  }
});

Deno.test("budget: a WebSocket whose frames do not fit is closed with 1013 (try again later)", async () => {
  const server = await startTestServer({
    budget: { totalBytes: 500, smallReserveBytes: 0, smallRequestBytes: 500, perUserBytes: 500 },
  });
  try {
    const access = (await login(server.url, "alice")).access;
    const client = await WsClient.connect(server.url, await wsToken(server.url, access));
    assert.equal((await client.next()).type, "snapshot");
    client.send(statusEvent()); // ~700 characters: more than the whole budget
    assert.equal((await client.closed).code, 1013);
  } finally {
    await server.close();
  }
});

Deno.test("budget: an upload that stalls is cut off (408) and gives its share back", async () => {
  const server = await startTestServer({ timings: { bodyTimeoutMs: 300 } });
  try {
    const alice = (await login(server.url, "alice")).access;
    const body = JSON.stringify({ events: [statusEvent()] });
    const encoder = new TextEncoder();
    const upload = slowUpload(
      server.url,
      alice,
      encoder.encode(body.slice(0, 50)),
      encoder.encode(body.slice(50)),
    );
    await upload.started;
    const answer = await upload.response;
    assert.equal(answer.status, 408);
    assert.match(await answer.text(), /did not arrive within 300 ms/);
    upload.finish();
    assert.equal(server.memoryInUse(), 0);
  } finally {
    await server.close();
  }
});
