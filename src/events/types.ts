/** The event envelope and its vocabularies (DESIGN.md §5, reference §1.1 and §2.1). */

/** The eight event types kittify emits. */
export const EVENT_TYPES = [
  "WPStatusChanged",
  "WPCreated",
  "WPAssigned",
  "FeatureCreated",
  "FeatureCompleted",
  "HistoryAdded",
  "ErrorLogged",
  "DependencyResolved",
] as const;
export type EventType = typeof EVENT_TYPES[number];

export const AGGREGATE_TYPES = ["WorkPackage", "Feature"] as const;
export type AggregateType = typeof AGGREGATE_TYPES[number];

/** The seven canonical work-package lanes (`doing` is an input alias only, never in events). */
export const LANES = [
  "planned",
  "claimed",
  "in_progress",
  "for_review",
  "done",
  "blocked",
  "canceled",
] as const;
export type Lane = typeof LANES[number];

/** The 15 envelope keys, in the order kittify writes them. */
export const ENVELOPE_KEYS = [
  "event_id",
  "event_type",
  "aggregate_id",
  "aggregate_type",
  "payload",
  "node_id",
  "lamport_clock",
  "causation_id",
  "timestamp",
  "team_slug",
  "project_uuid",
  "project_slug",
  "git_branch",
  "head_commit_sha",
  "repo_slug",
] as const;

/** One event as it is stored, sent over the wire and validated: exactly these 15 keys. */
export interface Envelope {
  /** Uppercase 26-char ULID. */
  event_id: string;
  event_type: EventType;
  aggregate_id: string;
  aggregate_type: AggregateType;
  payload: Record<string, unknown>;
  /** First 12 hex chars of SHA-256(`hostname:username`). */
  node_id: string;
  /** Lamport value, unique per user home, assigned when the event is stored. */
  lamport_clock: number;
  causation_id: string | null;
  /** `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (UTC). Informational; never used for ordering. */
  timestamp: string;
  /** The logged-in user's team, else `local`. */
  team_slug: string;
  /** null outside a project: such events are held locally and never sent. */
  project_uuid: string | null;
  project_slug: string | null;
  git_branch: string | null;
  head_commit_sha: string | null;
  repo_slug: string | null;
}

/** The aggregate type every event type uses (ErrorLogged: WorkPackage when it names a WP). */
export function aggregateTypeOf(
  eventType: EventType,
  payload: Record<string, unknown> = {},
): AggregateType {
  switch (eventType) {
    case "FeatureCreated":
    case "FeatureCompleted":
      return "Feature";
    case "ErrorLogged":
      return typeof payload.wp_id === "string" && payload.wp_id !== "" ? "WorkPackage" : "Feature";
    default:
      return "WorkPackage";
  }
}

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}
