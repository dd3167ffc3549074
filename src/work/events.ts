/** The events the work commands emit, built from the model (pure; reference §2.1). */
import type { EventInput } from "../events/envelope.ts";
import { formatTimestamp } from "../events/timestamp.ts";
import { featureNumberOf } from "./ids.ts";
import type { Lane } from "./lanes.ts";
import type { WorkPackage } from "./work_package.ts";

export type { EventInput };

export const DEFAULT_ACTOR = "user";

export type HistoryEntryType = "note" | "review" | "comment";
export const HISTORY_ENTRY_TYPES: readonly HistoryEntryType[] = ["note", "review", "comment"];

export function wpStatusChanged(
  wpId: string,
  from: Lane,
  to: Lane,
  actor: string,
  feature: string,
): EventInput {
  return {
    event_type: "WPStatusChanged",
    aggregate_id: wpId,
    aggregate_type: "WorkPackage",
    payload: { wp_id: wpId, from_lane: from, to_lane: to, actor, feature_slug: feature },
  };
}

export function wpCreated(wp: WorkPackage, feature: string, causationId: string): EventInput {
  return {
    event_type: "WPCreated",
    aggregate_id: wp.id,
    aggregate_type: "WorkPackage",
    payload: {
      wp_id: wp.id,
      title: wp.title,
      dependencies: wp.dependencies,
      feature_slug: feature,
    },
    causation_id: causationId,
  };
}

export function featureCreated(feature: string, targetBranch: string): EventInput {
  return {
    event_type: "FeatureCreated",
    aggregate_id: feature,
    aggregate_type: "Feature",
    payload: {
      feature_slug: feature,
      feature_number: featureNumberOf(feature),
      target_branch: targetBranch,
      wp_count: 0,
    },
  };
}

export function featureCompleted(feature: string, totalWps: number): EventInput {
  return {
    event_type: "FeatureCompleted",
    aggregate_id: feature,
    aggregate_type: "Feature",
    payload: { feature_slug: feature, total_wps: totalWps, completed_at: formatTimestamp() },
  };
}

export function historyAdded(
  wpId: string,
  entryType: HistoryEntryType,
  content: string,
  author: string,
): EventInput {
  return {
    event_type: "HistoryAdded",
    aggregate_id: wpId,
    aggregate_type: "WorkPackage",
    payload: { wp_id: wpId, entry_type: entryType, entry_content: content, author },
  };
}

/** ErrorLogged(runtime): on the work package when one is named, else on Feature/"error". */
export function runtimeErrorLogged(
  message: string,
  context: { wpId?: string; agentId?: string } = {},
): EventInput {
  const payload: Record<string, unknown> = { error_type: "runtime", error_message: message };
  if (context.wpId) payload.wp_id = context.wpId;
  if (context.agentId) payload.agent_id = context.agentId;
  return {
    event_type: "ErrorLogged",
    aggregate_id: context.wpId ?? "error",
    aggregate_type: context.wpId ? "WorkPackage" : "Feature",
    payload,
  };
}
