/**
 * Per-type payload rules (reference §2.2): required keys, and a check for each key that is
 * present. Pure data plus tiny predicates; `validate.ts` turns them into messages.
 */
import { isFeatureSlug } from "./name_slug.ts";
import { isIsoDateTime } from "./timestamp.ts";
import { type EventType, LANES } from "./types.ts";

/** A field check: null when the value is fine, else what was expected. */
export type FieldCheck = (value: unknown) => string | null;

export interface PayloadRule {
  required: readonly string[];
  fields: Readonly<Record<string, FieldCheck>>;
}

const WP_ID = /^WP\d{2}$/;
const FEATURE_NUMBER = /^\d{3}$/;

const matches = (pattern: RegExp, what: string): FieldCheck => (v) =>
  typeof v === "string" && pattern.test(v) ? null : what;

const oneOf = (values: readonly string[]): FieldCheck => (v) =>
  typeof v === "string" && values.includes(v) ? null : `one of ${values.join(", ")}`;

const nonEmpty: FieldCheck = (v) =>
  typeof v === "string" && v.trim() !== "" ? null : "a non-empty string";

const stringOrNull: FieldCheck = (v) =>
  v === null || typeof v === "string" ? null : "a string or null";

const count: FieldCheck = (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 ? null : "an integer >= 0";

const isoDateTime: FieldCheck = (v) => isIsoDateTime(v) ? null : "an ISO 8601 date-time string";

const wpId = matches(WP_ID, "a work package id like WP01");

const wpIdList: FieldCheck = (v) =>
  Array.isArray(v) && v.every((item) => typeof item === "string" && WP_ID.test(item))
    ? null
    : "a list of work package ids like WP01";

const lane = oneOf(LANES);

export const PAYLOAD_RULES: Readonly<Record<EventType, PayloadRule>> = {
  WPStatusChanged: {
    required: ["wp_id", "from_lane", "to_lane"],
    fields: {
      wp_id: wpId,
      from_lane: lane,
      to_lane: lane,
      actor: stringOrNull,
      feature_slug: stringOrNull,
    },
  },
  WPCreated: {
    required: ["wp_id", "title", "feature_slug"],
    fields: { wp_id: wpId, title: nonEmpty, feature_slug: nonEmpty, dependencies: wpIdList },
  },
  WPAssigned: {
    required: ["wp_id", "agent_id", "phase"],
    fields: {
      wp_id: wpId,
      agent_id: nonEmpty,
      phase: oneOf(["implementation", "review"]),
      retry_count: count,
    },
  },
  FeatureCreated: {
    required: ["feature_slug", "feature_number", "target_branch", "wp_count"],
    fields: {
      feature_slug: (v) =>
        typeof v === "string" && isFeatureSlug(v) ? null : "a feature slug like 001-my-feature",
      feature_number: matches(FEATURE_NUMBER, 'a three-digit string like "001"'),
      target_branch: nonEmpty,
      wp_count: count,
      created_at: isoDateTime,
    },
  },
  FeatureCompleted: {
    required: ["feature_slug", "total_wps"],
    fields: {
      feature_slug: nonEmpty,
      total_wps: count,
      completed_at: isoDateTime,
      total_duration: stringOrNull,
    },
  },
  HistoryAdded: {
    required: ["wp_id", "entry_type", "entry_content"],
    fields: {
      wp_id: wpId,
      entry_type: oneOf(["note", "review", "error", "comment"]),
      entry_content: nonEmpty,
      author: stringOrNull,
    },
  },
  ErrorLogged: {
    required: ["error_type", "error_message"],
    fields: {
      error_type: oneOf(["validation", "runtime", "network", "auth", "unknown"]),
      error_message: nonEmpty,
      wp_id: stringOrNull,
      stack_trace: stringOrNull,
      agent_id: stringOrNull,
    },
  },
  DependencyResolved: {
    required: ["wp_id", "dependency_wp_id", "resolution_type"],
    fields: {
      wp_id: wpId,
      dependency_wp_id: wpId,
      resolution_type: oneOf(["completed", "skipped", "merged"]),
    },
  },
};
