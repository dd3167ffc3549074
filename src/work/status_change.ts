/**
 * One lane change of one work package, end to end: the file is changed under its lock (the
 * decision taken from what is on disk), then exactly one WPStatusChanged is stored, and only if
 * the lane really changed. The event is kept as a write-ahead intent before the file changes
 * (intents.ts), so a crash at any instant loses no transition. A failing write stores no status
 * event but one ErrorLogged(runtime).
 */
import { warn } from "../common/warnings.ts";
import { dependencyWarning } from "./dependencies.ts";
import { wpStatusChanged } from "./events.ts";
import { changeLane, type LaneDecision } from "./lane_change.ts";
import type { Lane } from "./lanes.ts";
import type { BuiltEvent, EmitOutcome } from "../sync/emitter.ts";
import { intentKey, writeIntent } from "./intents.ts";
import { reportOutcome, runtimeFailure } from "./record.ts";
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
  const intent = intentKey(target.root, target.feature, wp.id);
  let built: BuiltEvent | EmitOutcome | undefined;
  let intentWritten = false;
  let change;
  try {
    change = await changeLane(wp.path, decide, async ({ before, to }) => {
      // Write-ahead: the event is built and kept as an intent before the file changes. When the
      // user store cannot take it, the change goes ahead and the event is reported not stored.
      built = await target.emitter.build(
        wpStatusChanged(wp.id, before.lane, to, actor, target.feature),
      ).catch((err) => ({ status: "failed" as const, reason: String(err?.message ?? err) }));
      if (!("envelope" in built)) return;
      try {
        await writeIntent(await target.emitter.userStore(), intent, {
          path: wp.path,
          from: before.lane,
          to,
        }, built);
        intentWritten = true;
      } catch {
        // No write-ahead possible: the event is still stored below if the store allows.
      }
    });
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
  const outcome = built && "envelope" in built
    ? await target.emitter.store(built, intentWritten ? { settle: intent } : {})
    : built ?? { status: "failed" as const, reason: "the event was not built" };
  report.event_recorded = reportOutcome(
    wpStatusChanged(wp.id, change.before.lane, change.to, actor, target.feature),
    outcome,
    `${wp.id} moved to ${change.to}`,
  );
  return report;
}
