/** The size limit of one event: KV values are limited to 64 KiB, so envelopes stay ≤ 60 KiB. */
import type { Envelope } from "./types.ts";

export const MAX_EVENT_BYTES = 60 * 1024;

/** Lamport values are assigned after the size check; reserve room for the largest one. */
const LAMPORT_HEADROOM = String(Number.MAX_SAFE_INTEGER).length;

/** UTF-8 bytes of the event's JSON encoding. */
export function encodedSize(event: Envelope): number {
  return new TextEncoder().encode(JSON.stringify(event)).length;
}

/** A problem message when `bytes` is over the limit, else null. */
export function sizeProblem(bytes: number): string | null {
  if (bytes + LAMPORT_HEADROOM <= MAX_EVENT_BYTES) return null;
  return `event is ${bytes} bytes encoded; the limit is ${MAX_EVENT_BYTES} bytes (60 KiB)`;
}
