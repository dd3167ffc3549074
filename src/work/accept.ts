/**
 * `accept`: every for_review work package of a feature → done, with exactly one
 * WPStatusChanged each (in `--json` mode too). Work packages that are neither reviewed nor
 * finished are outstanding: then nothing is accepted unless `--allow-incomplete`. When every
 * work package is finished (done, or canceled), one FeatureCompleted is stored, once.
 */
import { UserError } from "../common/errors.ts";
import { resolveAtRoot } from "../identity/resolve.ts";
import { userKv } from "../store/open.ts";
import { completedFeatureKey, unclaimed } from "./announcements.ts";
import { DEFAULT_ACTOR, featureCompleted } from "./events.ts";
import { isTrackableWpId } from "./ids.ts";
import { beginLaneChanges, recordOnce, runtimeFailure } from "./record.ts";
import { type FeatureScan, scanFeature } from "./scan.ts";
import { applyStatusChange } from "./status_change.ts";
import { type FeatureTarget, type Project, scanTarget } from "./target.ts";

export interface Outstanding {
  wp_id: string | null;
  /** null when the task file cannot be read. */
  lane: string | null;
  /** null when the task file cannot be read. */
  title: string | null;
  /** Why the task file cannot be read (null when it can). */
  problem: string | null;
}

export interface AcceptReport {
  feature: string;
  /** Work packages moved for_review → done by this run, and whether each event was stored. */
  accepted: Array<{ wp_id: string; event_recorded: boolean }>;
  /** Reviewed work packages that could not be moved (e.g. a read-only task file), and why. */
  failed: Array<{ wp_id: string; error: string }>;
  outstanding: Outstanding[];
  total_wps: number;
  /** Every work package is done or canceled. */
  complete: boolean;
  /** The FeatureCompleted of this run was stored (null: none was due). */
  completion_recorded: boolean | null;
  /** False when outstanding work stopped the acceptance, or a work package failed. */
  ok: boolean;
}

/**
 * Some reviewed work packages could not be accepted; the others were (their events are
 * stored). Carries the report, so the command still prints what happened, and the errors.
 */
export class AcceptFailedError extends Error {
  constructor(readonly report: AcceptReport, readonly errors: unknown[]) {
    super(`accepting ${report.failed.map((f) => f.wp_id).join(", ")} failed`);
    this.name = "AcceptFailedError";
  }
}

const FINISHED = new Set(["done", "canceled"]);

/** What accept would do with a scanned feature (pure). */
export function planAcceptance(scan: FeatureScan) {
  const reviewed = scan.workPackages.filter((w) =>
    w.lane === "for_review" && isTrackableWpId(w.id)
  );
  const outstanding: Outstanding[] = [
    ...scan.workPackages
      .filter((w) => !FINISHED.has(w.lane) && !reviewed.includes(w))
      .map((w) => ({ wp_id: w.id, lane: w.lane, title: w.title, problem: null })),
    ...scan.problems.map((p) => ({ wp_id: p.id, lane: null, title: null, problem: p.reason })),
  ];
  return { reviewed, outstanding };
}

export async function accept(
  project: Project,
  options: { feature?: string; allowIncomplete?: boolean },
): Promise<AcceptReport> {
  const target = await scanTarget(project, options.feature);
  const { root, feature, scan } = target;
  const total = scan.workPackages.length + scan.problems.length;
  if (total === 0) throw new UserError(`${feature} has no work packages to accept`);
  const { reviewed, outstanding } = planAcceptance(scan);
  const report: AcceptReport = {
    feature,
    accepted: [],
    failed: [],
    outstanding,
    total_wps: total,
    complete: false,
    completion_recorded: null,
    ok: outstanding.length === 0 || options.allowIncomplete === true,
  };
  if (!report.ok) return report;
  await beginLaneChanges(target);
  // The completion mark as it was before this run changed anything (see announceCompletion).
  const completionBefore = await readCompletionMark(target);
  const errors: unknown[] = [];
  for (const wp of reviewed) {
    let change;
    try {
      change = await applyStatusChange(
        target,
        wp,
        DEFAULT_ACTOR,
        (current) => current.lane === "for_review" ? "done" : null,
      );
    } catch (err) {
      // One bad task file does not stop the others; the ErrorLogged is already stored.
      errors.push(err);
      report.failed.push({ wp_id: wp.id, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (change.changed) {
      report.accepted.push({ wp_id: wp.id, event_recorded: change.event_recorded });
    }
  }
  if (errors.length > 0) {
    report.ok = false;
    throw new AcceptFailedError(report, errors);
  }
  const after = await scanFeature(root, feature);
  report.complete = after.problems.length === 0 &&
    after.workPackages.every((w) => FINISHED.has(w.lane));
  if (report.complete) {
    report.completion_recorded = await announceCompletion(target, total, {
      finishedNow: report.accepted.length > 0,
      before: completionBefore,
    });
  }
  return report;
}

async function completionMark(target: FeatureTarget) {
  const project = (await resolveAtRoot(target.root)).identity.project_uuid;
  return { kv: await userKv(), key: completedFeatureKey(project, target.feature) };
}

/** The completion mark of the feature, or null when the store cannot be read. */
async function readCompletionMark(
  target: FeatureTarget,
): Promise<Deno.KvEntryMaybe<unknown> | null> {
  try {
    const { kv, key } = await completionMark(target);
    return await kv.get(key);
  } catch {
    return null; // reported when the completion is announced
  }
}

/**
 * One FeatureCompleted when this run finished the feature, or when a finished feature was
 * never announced (its last work package was moved to done by hand). A run that finished the
 * feature replaces the mark it read before changing anything, atomically: when several runs
 * finish the same feature at once, the first one announces it and the others see that the mark
 * changed since they started (the completion they would announce already covers their work).
 */
async function announceCompletion(
  target: FeatureTarget,
  total: number,
  options: { finishedNow: boolean; before: Deno.KvEntryMaybe<unknown> | null },
): Promise<boolean | null> {
  const { emitter, feature } = target;
  try {
    const { kv, key } = await completionMark(target);
    let guard: Deno.AtomicCheck;
    if (options.finishedNow && options.before !== null) {
      guard = options.before; // replace the mark as it was before this run changed anything
    } else {
      if ((await kv.get(key)).versionstamp !== null) return null;
      guard = unclaimed(key);
    }
    const event = featureCompleted(feature, total);
    const outcome = await recordOnce(emitter, event, guard, `${feature} is complete`);
    return outcome === "blocked" ? null : outcome === "stored";
  } catch (err) {
    throw await runtimeFailure(err, emitter, { doing: `completing ${feature}` });
  }
}
