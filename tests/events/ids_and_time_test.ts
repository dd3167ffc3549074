/** Event ids (monotonic uppercase ULIDs), timestamps and the size limit. */
import assert from "node:assert/strict";
import { encodedSize, MAX_EVENT_BYTES, sizeProblem } from "../../src/events/size.ts";
import { formatTimestamp, isIsoDateTime } from "../../src/events/timestamp.ts";
import type { Envelope } from "../../src/events/types.ts";
import { isUlid, newEventId, ULID_PATTERN, ulidGenerator } from "../../src/events/ulid.ts";

Deno.test("event ids are uppercase 26-char ULIDs, strictly increasing within a process", () => {
  const ids = Array.from({ length: 5_000 }, () => newEventId());
  for (const id of ids) assert.match(id, ULID_PATTERN);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(!isUlid(ids[0].toLowerCase()));
});

Deno.test("an event id starts with its millisecond; a clock that steps back still gives larger ids", () => {
  const next = ulidGenerator();
  const at = Date.UTC(2026, 11, 2, 10, 0, 0, 0);
  const id = next(at);
  // 48-bit time in 10 base32 characters, most significant first.
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const time = [...id.slice(0, 10)].reduce((t, ch) => t * 32 + alphabet.indexOf(ch), 0);
  assert.equal(time, at);
  const back = next(at - 5_000);
  assert.ok(back > id, "the clock went back: the previous id plus one");
  assert.equal(back.slice(0, 10), id.slice(0, 10));
  assert.ok(next(at + 1) > back);
  // Random parts differ between milliseconds (80 bits of Web Crypto randomness).
  const randoms = new Set(Array.from({ length: 200 }, (_, i) => next(at + 10 + i).slice(10)));
  assert.equal(randoms.size, 200);
});

Deno.test("timestamps are YYYY-MM-DDTHH:MM:SS.ffffff+00:00 in UTC", () => {
  const micros = Date.UTC(2026, 1, 12, 10, 0, 0, 123) * 1000 + 456;
  assert.equal(formatTimestamp(micros), "2026-02-12T10:00:00.123456+00:00");
  assert.equal(formatTimestamp(Date.UTC(2026, 0, 1) * 1000), "2026-01-01T00:00:00.000000+00:00");
  assert.match(formatTimestamp(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
  assert.ok(isIsoDateTime(formatTimestamp()));
  assert.ok(!isIsoDateTime("2026-13-01T00:00:00Z"));
  assert.ok(!isIsoDateTime("2026-02-12 at noon"));
});

Deno.test("the encoded size counts UTF-8 bytes and the limit is 60 KiB", () => {
  const event = { payload: { text: "é" } } as unknown as Envelope;
  assert.equal(encodedSize(event), JSON.stringify(event).length + 1);
  assert.equal(sizeProblem(1000), null);
  assert.equal(sizeProblem(MAX_EVENT_BYTES - 100), null);
  // Room is kept for the Lamport value (up to 16 digits), given after the check.
  assert.equal(sizeProblem(MAX_EVENT_BYTES - 16), null);
  assert.match(sizeProblem(MAX_EVENT_BYTES - 15) ?? "", /event is 61425 bytes encoded/);
  assert.match(sizeProblem(MAX_EVENT_BYTES + 1) ?? "", /limit is 61440 bytes/);
});
