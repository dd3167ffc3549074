/**
 * The rows of the materialised view and how one event changes them. Pure functions: the ingest
 * step loads the affected rows, folds the new events in, and writes the rows back in the same
 * commit that stores the events, so the view is never rebuilt from the event log.
 *
 * Every field that an event sets remembers the order key of the event that set it, and only a
 * later event (by {@link compareOrder}) may overwrite it. That makes the fold commutative: any
 * arrival order gives the same rows (apart from arrival-time fields such as `last_received_at`).
 */
import type { Envelope } from "../../events/types.ts";
import { isLater, type OrderKey, orderOf } from "./order.ts";

/** The most recent event (by order key) that touched a row. */
export interface LastChange extends OrderKey {
  event_type: string;
  timestamp: string;
}

interface RowBase {
  event_count: number;
  last_change: LastChange | null;
  /** Server time (ISO) of the latest arrival. */
  last_received_at: string;
}

export interface ProjectRow extends RowBase {
  project_uuid: string;
  project_slug: string | null;
  repo_slug: string | null;
  team: string;
}

export interface FeatureRow extends RowBase {
  project_uuid: string;
  /** "" collects work packages whose events did not name a feature. */
  feature_slug: string;
  feature_number: string | null;
  target_branch: string | null;
  wp_count: number | null;
  created: OrderKey | null;
  completed_at: string | null;
  completed: OrderKey | null;
}

export interface WpRow extends RowBase {
  project_uuid: string;
  feature_slug: string;
  wp_id: string;
  /** null until a WPStatusChanged or WPCreated is seen. */
  lane: string | null;
  lane_set_by: OrderKey | null;
  /** Who made the latest lane change (its `actor`), and when (the event's timestamp). */
  actor?: string | null;
  moved_at?: string | null;
  title: string | null;
  dependencies: string[];
  title_set_by: OrderKey | null;
}

/** Which feature and work-package rows an event belongs to (the project row always). */
export function rowTargets(event: Envelope): { feature?: string; wp?: string } {
  const p = event.payload;
  switch (event.event_type) {
    case "WPStatusChanged":
    case "WPCreated":
      return { feature: str(p.feature_slug) ?? "", wp: String(p.wp_id) };
    case "FeatureCreated":
    case "FeatureCompleted":
      return { feature: String(p.feature_slug) };
    default:
      // WPAssigned, HistoryAdded, DependencyResolved and ErrorLogged do not name a feature, and a
      // WP id alone is ambiguous across features: they count at the project level only.
      return {};
  }
}

export function applyToProject(
  row: ProjectRow | undefined,
  event: Envelope,
  team: string,
  receivedAt: string,
): ProjectRow {
  const base = row ?? {
    project_uuid: event.project_uuid!,
    project_slug: null,
    repo_slug: null,
    team,
    event_count: 0,
    last_change: null,
    last_received_at: receivedAt,
  };
  const later = isLater(event, base.last_change);
  return {
    ...touch(base, event, receivedAt),
    project_slug: later && event.project_slug ? clip(event.project_slug) : base.project_slug,
    repo_slug: later && event.repo_slug ? clip(event.repo_slug) : base.repo_slug,
  };
}

export function applyToFeature(
  row: FeatureRow | undefined,
  event: Envelope,
  slug: string,
  receivedAt: string,
): FeatureRow {
  const base = row ?? newFeatureRow(event.project_uuid!, slug, receivedAt);
  const next = touch(base, event, receivedAt);
  const p = event.payload;
  if (event.event_type === "FeatureCreated" && isLater(event, base.created)) {
    next.feature_number = str(p.feature_number);
    next.target_branch = clip(str(p.target_branch));
    next.wp_count = typeof p.wp_count === "number" ? p.wp_count : null;
    next.created = orderOf(event);
  }
  if (event.event_type === "FeatureCompleted" && isLater(event, base.completed)) {
    next.completed_at = clip(str(p.completed_at) ?? event.timestamp);
    next.completed = orderOf(event);
  }
  return next;
}

/** A feature row before any event has touched it. */
export function newFeatureRow(project: string, slug: string, receivedAt: string): FeatureRow {
  return {
    project_uuid: project,
    feature_slug: slug,
    feature_number: null,
    target_branch: null,
    wp_count: null,
    created: null,
    completed_at: null,
    completed: null,
    event_count: 0,
    last_change: null,
    last_received_at: receivedAt,
  };
}

export function applyToWp(
  row: WpRow | undefined,
  event: Envelope,
  feature: string,
  wpId: string,
  receivedAt: string,
): WpRow {
  const base: WpRow = row ?? {
    project_uuid: event.project_uuid!,
    feature_slug: feature,
    wp_id: wpId,
    lane: null,
    lane_set_by: null,
    title: null,
    dependencies: [],
    title_set_by: null,
    event_count: 0,
    last_change: null,
    last_received_at: receivedAt,
  };
  const next = touch(base, event, receivedAt);
  const p = event.payload;
  if (event.event_type === "WPStatusChanged" && isLater(event, base.lane_set_by)) {
    next.lane = String(p.to_lane);
    next.lane_set_by = orderOf(event);
    next.actor = clip(str(p.actor));
    next.moved_at = clip(event.timestamp);
  }
  if (event.event_type === "WPCreated") {
    // A created WP is planned until a status change (of any order) says otherwise.
    if (next.lane_set_by === null) next.lane = "planned";
    if (isLater(event, base.title_set_by)) {
      next.title = clip(str(p.title));
      next.dependencies = Array.isArray(p.dependencies)
        ? p.dependencies.slice(0, MAX_DEPENDENCIES).map(String)
        : [];
      next.title_set_by = orderOf(event);
    }
  }
  return next;
}

/** Count, last change and arrival time: what every event does to every row it touches. */
function touch<T extends RowBase>(row: T, event: Envelope, receivedAt: string): T {
  const later = isLater(event, row.last_change);
  return {
    ...row,
    event_count: row.event_count + 1,
    last_change: later
      ? { ...orderOf(event), event_type: event.event_type, timestamp: clip(event.timestamp)! }
      : row.last_change,
    last_received_at: receivedAt > row.last_received_at ? receivedAt : row.last_received_at,
  };
}

/** Rows keep short text only, so each stays far below the 64 KiB value limit. */
const MAX_TEXT = 300;
const MAX_DEPENDENCIES = 100;

function clip<T extends string | null>(text: T): T {
  return (text !== null && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text) as T;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
