/** Event timestamps in Python `isoformat()` style: `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (UTC). */

/** Microseconds since the epoch, from the high-resolution clock. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Formats epoch microseconds as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. */
export function formatTimestamp(micros: number = nowMicros()): string {
  const millis = Math.floor(micros / 1000);
  const fraction = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, "0");
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}+00:00`;
}

/** ISO 8601 date-time with optional fraction and offset (`Z` or `±HH:MM`), as Python parses. */
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** True when `value` is a string holding a valid ISO date-time. */
export function isIsoDateTime(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const m = ISO_DATETIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day && date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
}
