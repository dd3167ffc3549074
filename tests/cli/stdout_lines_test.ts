/** Lines for stdout in chunks: one write per burst, in order, nothing lost or kept back. */
import assert from "node:assert/strict";
import { FLUSH_BYTES, FLUSH_DELAY_MS, StdoutLines } from "../../src/cli/stdout_lines.ts";

/** A writer that takes at most `max` bytes per call, like a pipe that is nearly full. */
function writer(max = Infinity) {
  const writes: string[] = [];
  const decoder = new TextDecoder();
  return {
    writes,
    text: () => writes.join(""),
    writeSync(bytes: Uint8Array): number {
      const n = Math.min(bytes.length, max);
      writes.push(decoder.decode(bytes.subarray(0, n)));
      return n;
    },
  };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a burst of lines is one write, after a short wait", async () => {
  const out = writer();
  const lines = new StdoutLines(out);
  for (let i = 0; i < 1_000; i++) lines.push(`line ${i}`);
  assert.equal(out.writes.length, 0, "nothing yet");
  await tick(FLUSH_DELAY_MS * 5);
  assert.equal(out.writes.length, 1);
  assert.equal(out.text(), Array.from({ length: 1_000 }, (_, i) => `line ${i}\n`).join(""));
});

Deno.test("a full buffer goes out at once; flush writes the rest; partial writes complete", () => {
  const out = writer(1_000);
  const lines = new StdoutLines(out);
  const long = "x".repeat(1_023);
  for (let i = 0; i < FLUSH_BYTES / 1_024; i++) lines.push(long);
  assert.equal(out.text().length, FLUSH_BYTES, "written without waiting, in pieces");
  lines.push("last");
  lines.flush();
  assert.ok(out.text().endsWith(`${long}\nlast\n`));
  lines.flush();
  assert.ok(out.text().endsWith("last\n"), "a second flush writes nothing again");
});

Deno.test("stdout gone: the lines are dropped, the caller goes on", () => {
  let calls = 0;
  const lines = new StdoutLines({
    writeSync() {
      calls++;
      throw new Deno.errors.BrokenPipe("broken pipe");
    },
  });
  lines.push("one");
  lines.flush();
  lines.push("two");
  lines.flush();
  assert.equal(calls, 1, "no more writes after the pipe broke");
});
