/**
 * One lane change of one work package, end to end: the file is changed under its lock (the
 * decision taken from what is on disk), then exactly one WPStatusChanged is stored, and only if
 * the lane really changed. A failing write stores no status event but one ErrorLogged(runtime).
 */
import { warn } from "../common/warnings.ts";
import { dependencyWarning } from "./dependencies.ts";
import { wpStatusChanged } from "./events.ts";
import { changeLane, type LaneDecision } from "./lane_change.ts";
import type { Lane } from "./lanes.ts";
import { record, runtimeFailure } from "./record.ts";
import { readWorkPackages } from "./scan.ts";
import type { FeatureTarget } from "./target.ts";
import type { WorkPackage } from "./work_package.ts";

export interface StatusChangeReport {
  feature: string;
  wp_id: string;
  from_lane: Lane;
  to_lane: Lane;
  actor: string;
  changed: boolean;
  /** Whether the WPStatusChanged event was stored (false when nothing changed). */
  event_recorded: boolean;
}

export async function applyStatusChange(
  target: FeatureTarget,
  wp: WorkPackage,
  actor: string,
  decide: LaneDecision,
): Promise<StatusChangeReport> {
  let change;
  try {
    change = await changeLane(wp.path, decide);
  } catch (err) {
    throw await runtimeFailure(err, target.emitter, {
      doing: `changing the lane of ${wp.id}`,
      wpId: wp.id,
    });
  }
  const report = {
    feature: target.feature,
    wp_id: wp.id,
    from_lane: change.before.lane,
    to_lane: change.to,
    actor,
    changed: change.changed,
    event_recorded: false,
  };
  if (!change.changed) return report;
  const dependencies = change.before.dependencies;
  if (change.to === "in_progress" && dependencies.length > 0) {
    const known = await readWorkPackages(target.root, target.feature, dependencies);
    const warning = dependencyWarning(change.before, known);
    if (warning) warn(warning);
  }
  report.event_recorded = await record(
    target.emitter,
    wpStatusChanged(wp.id, change.before.lane, change.to, actor, target.feature),
    `${wp.id} moved to ${change.to}`,
  );
  return report;
}
