/**
 * Event ids: uppercase 26-character ULIDs (48-bit millisecond time, 80 random bits, Crockford
 * base32), strictly increasing within a process: an id made in the same millisecond as the one
 * before (or while the clock stands still or steps back) is the previous one plus one.
 *
 * Written here rather than taken from the `ulid` package: its Node build imports `node:crypto`,
 * which costs every kittify command ~15 ms of start-up; the format is small and fixed, and the
 * randomness comes from Web Crypto.
 */

/** Crockford base32, uppercase only (no I, L, O, U), 26 characters. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

/** A generator of strictly increasing ULIDs (one per process is {@link newEventId}). */
export function ulidGenerator(): (now?: number) => string {
  let lastTime = -1;
  /** The random part of the last id, one base32 digit (0–31) per character. */
  let lastRandom: number[] = [];
  return (now = Date.now()) => {
    if (now > lastTime) {
      lastTime = Math.min(now, MAX_TIME);
      lastRandom = randomDigits();
    } else {
      increment(lastRandom);
    }
    return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join("");
  };
}

/** A new event id; each call returns a value greater than the previous one. */
export const newEventId: (now?: number) => string = ulidGenerator();

export function isUlid(value: unknown): value is string {
  return typeof value === "string" && ULID_PATTERN.test(value);
}

function encodeTime(time: number): string {
  let out = "";
  for (let i = 0, t = time; i < TIME_CHARS; i++, t = Math.floor(t / 32)) {
    out = ALPHABET[t % 32] + out;
  }
  return out;
}

function randomDigits(): number[] {
  const bytes = crypto.getRandomValues(new Uint8Array(RANDOM_CHARS));
  return Array.from(bytes, (b) => b & 31);
}

/** Adds one to the random part; 2^80 ids in one millisecond cannot happen. */
function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i] < 31) {
      digits[i]++;
      return;
    }
    digits[i] = 0;
  }
  throw new Error("ULID random part exhausted within one millisecond");
}
