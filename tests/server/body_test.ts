/** Reading request bodies within limits (the batch endpoint's wire and decompressed caps). */
import assert from "node:assert/strict";
import { BodyTooLarge, readBody } from "../../src/server/ingest/body.ts";
import { gzipped } from "./harness.ts";

/** A POST whose body arrives as the given chunks. */
function request(chunks: Uint8Array[], headers: Record<string, string> = {}): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Request("http://127.0.0.1/", { method: "POST", body, headers });
}

Deno.test("body: a gzip bomb in one wire chunk is stopped near the limit, not after inflating it", async () => {
  // 64 MiB of zeros is ~64 KiB gzipped: one wire chunk that inflates 1000-fold.
  const bomb = await gzipped(new Uint8Array(64 * 1024 * 1024));
  const limit = 1024 * 1024;
  const err = await readBody(request([bomb], { "content-encoding": "gzip" }), {
    wireBytes: 8 * 1024 * 1024,
    decodedBytes: limit,
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BodyTooLarge, String(err));
  // Decoding stopped within one small slice's worth of output past the limit.
  assert.ok(err.seen <= limit + 5 * 1024 * 1024, `decoded ${err.seen} bytes before stopping`);
});

Deno.test("body: gzip and identity bodies in many chunks decode whole", async () => {
  const text = JSON.stringify({ events: Array.from({ length: 2000 }, (_, i) => ({ i })) });
  const packed = await gzipped(text);
  const chunks = [packed.subarray(0, 10), packed.subarray(10, 9000), packed.subarray(9000)];
  const limits = { wireBytes: 1024 * 1024, decodedBytes: 1024 * 1024 };
  assert.equal(await readBody(request(chunks, { "content-encoding": "gzip" }), limits), text);
  assert.equal(await readBody(request([new TextEncoder().encode(text)]), limits), text);
});
