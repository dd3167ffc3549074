/**
 * The live activity feed of `sync watch` (pure): one readable line per event the team's other
 * clients store — when, where (project, feature, work package), what happened, by whom.
 */

import { terminalSafe } from "../common/terminal_text.ts";

type Fields = Record<string, unknown>;

/** Text from other people's events, safe for a terminal. */
const text = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? terminalSafe(value) : null;

function payloadOf(event: Fields): Fields {
  const p = event.payload;
  return typeof p === "object" && p !== null && !Array.isArray(p) ? p as Fields : {};
}

/** `12:34:56` of the event's timestamp (UTC), or `--:--:--`. */
function clock(event: Fields): string {
  return /T(\d{2}:\d{2}:\d{2})/.exec(text(event.timestamp) ?? "")?.[1] ?? "--:--:--";
}

function what(type: string, p: Fields): string {
  switch (type) {
    case "WPStatusChanged":
      return `${text(p.from_lane) ?? "?"} → ${text(p.to_lane) ?? "?"}`;
    case "WPCreated":
      return `created "${text(p.title) ?? ""}"`;
    case "WPAssigned":
      return `assigned to ${text(p.agent_id) ?? "?"}`;
    case "FeatureCreated":
      return "feature created";
    case "FeatureCompleted":
      return `feature completed (${typeof p.total_wps === "number" ? p.total_wps : "?"} WPs)`;
    case "HistoryAdded":
      return `${text(p.entry_type) ?? "note"}: ${(text(p.entry_content) ?? "").slice(0, 80)}`;
    case "ErrorLogged":
      return `error: ${(text(p.error_message) ?? "").slice(0, 80)}`;
    case "DependencyResolved":
      return `dependency ${text(p.dependency_wp_id) ?? "?"} resolved`;
    default:
      return type;
  }
}

/** `12:34:56  acme · demo-project  001-x  WP01  planned → in_progress  by alice`. */
export function feedLine(event: Fields): string {
  const p = payloadOf(event);
  const type = text(event.event_type) ?? "event";
  const who = text(p.actor) ?? text(p.author) ?? text(p.agent_id);
  const where = [
    `${text(event.team_slug) ?? "?"} · ${
      text(event.project_slug) ?? text(event.project_uuid) ?? "?"
    }`,
    text(p.feature_slug) ?? (event.aggregate_type === "Feature" ? text(event.aggregate_id) : null),
    text(p.wp_id),
  ].filter((part): part is string => part !== null);
  return [clock(event), ...where, what(type, p), who ? `by ${who}` : null]
    .filter((part) => part !== null)
    .join("  ");
}
