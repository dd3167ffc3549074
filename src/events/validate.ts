/**
 * The one validation module for events (pure, no I/O): used by the emitter before storing, by
 * `sync diagnose`, and by the sync server for incoming events. `validateEnvelope` returns every
 * problem as `<field>: <what is wrong>`; an empty list means valid.
 */
import { PAYLOAD_RULES } from "./payload_rules.ts";
import { isIsoDateTime } from "./timestamp.ts";
import { AGGREGATE_TYPES, ENVELOPE_KEYS, isEventType } from "./types.ts";
import { isUlid } from "./ulid.ts";

export { AGGREGATE_TYPES, ENVELOPE_KEYS, EVENT_TYPES, LANES } from "./types.ts";
export type { AggregateType, Envelope, EventType, Lane } from "./types.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A `project_uuid` as events carry it: a lowercase UUID. */
export function isProjectUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** A short, printable rendering of a bad value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const nonEmptyString = (v: unknown) => typeof v === "string" && v.trim() !== "";
const stringOrNull = (v: unknown) => v === null || typeof v === "string";

/**
 * The largest Lamport value an event may carry: far beyond any real count (a million events a
 * second for 140 years), and far enough below 2^53 that a clock advanced past it by the receive
 * rule can still count up exactly.
 */
export const MAX_LAMPORT = 2 ** 52;

/** Checks for the envelope fields other than payload: [key, predicate, expectation]. */
const FIELD_CHECKS: ReadonlyArray<[string, (v: unknown) => boolean, string]> = [
  ["event_id", isUlid, "a 26-character uppercase ULID"],
  ["event_type", isEventType, "a known event type"],
  ["aggregate_id", nonEmptyString, "a non-empty string"],
  [
    "aggregate_type",
    (v) => (AGGREGATE_TYPES as readonly unknown[]).includes(v),
    `one of ${AGGREGATE_TYPES.join(", ")}`,
  ],
  ["payload", isPlainObject, "a JSON object"],
  ["node_id", nonEmptyString, "a non-empty string"],
  [
    "lamport_clock",
    (v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= MAX_LAMPORT,
    `an integer from 0 to ${MAX_LAMPORT}`,
  ],
  ["causation_id", (v) => v === null || isUlid(v), "null or a 26-character uppercase ULID"],
  ["timestamp", isIsoDateTime, "an ISO 8601 date-time string"],
  ["team_slug", nonEmptyString, "a non-empty string"],
  [
    "project_uuid",
    (v) => v === null || isProjectUuid(v),
    "null or a lowercase UUID",
  ],
  ["project_slug", stringOrNull, "a string or null"],
  ["git_branch", stringOrNull, "a string or null"],
  ["head_commit_sha", stringOrNull, "a string or null"],
  ["repo_slug", stringOrNull, "a string or null"],
];

/** Every problem with `event` as one message each; `[]` when it is a valid envelope. */
export function validateEnvelope(event: unknown): string[] {
  if (!isPlainObject(event)) return [`event: must be a JSON object, got ${show(event)}`];
  const problems: string[] = [];
  for (const [key, ok, expected] of FIELD_CHECKS) {
    if (!(key in event)) {
      problems.push(`${key}: missing required envelope field`);
    } else if (!ok(event[key])) {
      problems.push(`${key}: invalid value ${show(event[key])} (expected ${expected})`);
    }
  }
  const known: readonly string[] = ENVELOPE_KEYS;
  for (const key of Object.keys(event)) {
    if (!known.includes(key)) problems.push(`${key}: unknown envelope field`);
  }
  if (isEventType(event.event_type) && isPlainObject(event.payload)) {
    problems.push(...validatePayload(event.event_type, event.payload));
  }
  return problems;
}

/** Problems with the payload of a known event type (reference §2.2). */
export function validatePayload(
  eventType: keyof typeof PAYLOAD_RULES,
  payload: Record<string, unknown>,
): string[] {
  const rule = PAYLOAD_RULES[eventType];
  const problems: string[] = [];
  const missing = rule.required.filter((key) => !(key in payload)).sort();
  if (missing.length > 0) {
    problems.push(`payload: missing required field(s) [${missing.join(", ")}] for ${eventType}`);
  }
  for (const [key, check] of Object.entries(rule.fields)) {
    if (!(key in payload)) continue;
    const expected = check(payload[key]);
    if (expected !== null) {
      problems.push(
        `payload.${key}: invalid value ${
          show(payload[key])
        } for ${eventType} (expected ${expected})`,
      );
    }
  }
  return problems;
}
