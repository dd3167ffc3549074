/** Event ids: uppercase 26-char ULIDs, strictly increasing within a process. */
import { monotonicFactory } from "ulid";

/** Crockford base32, uppercase only (no I, L, O, U), 26 characters. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const next = monotonicFactory();

/** A new event id; each call returns a value greater than the previous one. */
export function newEventId(): string {
  return next();
}

export function isUlid(value: unknown): value is string {
  return typeof value === "string" && ULID_PATTERN.test(value);
}
