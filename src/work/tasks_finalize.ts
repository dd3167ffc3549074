/**
 * `tasks finalize`: one WPCreated for every work package not announced yet, all sharing one
 * fresh causation_id. What was announced is remembered in the user store, so a re-run emits
 * nothing for it.
 */
import { warn } from "../common/warnings.ts";
import { newEventId } from "../events/ulid.ts";
import { resolveAtRoot } from "../identity/resolve.ts";
import { userKv } from "../store/open.ts";
import { announcedWpKey, unclaimed } from "./announcements.ts";
import { wpCreated } from "./events.ts";
import { isTrackableWpId, MAX_TRACKABLE_WP } from "./ids.ts";
import { recordOnce, runtimeFailure } from "./record.ts";
import { type Project, scanTarget } from "./target.ts";

export interface FinalizeReport {
  feature: string;
  /** Shared by every WPCreated of this run; null when nothing was announced. */
  causation_id: string | null;
  announced: string[];
  already_announced: string[];
  /** Announcements whose event could not be stored (a re-run tries again). */
  failed: string[];
  /** Task files that cannot be announced, and why. */
  skipped: Array<{ wp_id: string | null; path: string; reason: string }>;
}

export async function finalizeTasks(
  project: Project,
  options: { feature?: string },
): Promise<FinalizeReport> {
  const { root, feature, scan, emitter } = await scanTarget(project, options.feature);
  const report: FinalizeReport = {
    feature,
    causation_id: null,
    announced: [],
    already_announced: [],
    failed: [],
    skipped: scan.problems.map((p) => ({ wp_id: p.id, path: p.path, reason: p.reason })),
  };
  for (const p of scan.problems) warn(`skipping ${p.path}: ${p.reason}`);
  const causation = newEventId();
  try {
    const project = (await resolveAtRoot(root)).identity.project_uuid;
    const kv = await userKv();
    for (const wp of scan.workPackages) {
      if (!isTrackableWpId(wp.id)) {
        const reason = `event ids go up to WP${MAX_TRACKABLE_WP}`;
        report.skipped.push({ wp_id: wp.id, path: wp.path, reason });
        warn(`skipping ${wp.id}: ${reason}`);
        continue;
      }
      const key = announcedWpKey(project, feature, wp.id);
      if ((await kv.get(key)).versionstamp !== null) {
        report.already_announced.push(wp.id);
        continue;
      }
      const event = wpCreated(wp, feature, causation);
      const outcome = await recordOnce(emitter, event, unclaimed(key), `${wp.id} is finalized`);
      if (outcome === "stored") {
        report.announced.push(wp.id);
        report.causation_id = causation;
      } else if (outcome === "blocked") {
        report.already_announced.push(wp.id);
      } else {
        report.failed.push(wp.id);
      }
    }
  } catch (err) {
    throw await runtimeFailure(err, emitter, { doing: `finalizing the tasks of ${feature}` });
  }
  return report;
}
