/**
 * `move WPnn --to LANE`: one lane change with one WPStatusChanged, and with `--note` one
 * HistoryAdded. Transitions outside the status model need `--force --reason`.
 */
import { UsageError, UserError } from "../common/errors.ts";
import { actorArgument } from "./actor.ts";
import { historyAdded } from "./events.ts";
import { laneArgument } from "./lanes.ts";
import { beginLaneChanges, record } from "./record.ts";
import { applyStatusChange, type StatusChangeReport } from "./status_change.ts";
import { locateWorkPackage, type Project, resolveFeature, wpIdArgument } from "./target.ts";
import { IMPLEMENT_SHORTCUT, transitionProblem } from "./transitions.ts";

export interface MoveOptions {
  wp: string;
  to: string;
  actor?: string;
  force?: boolean;
  reason?: string;
  note?: string;
  feature?: string;
}

export interface MoveReport extends StatusChangeReport {
  forced: boolean;
  /** The `--reason` of a forced move (kept in the output only), else null. */
  reason: string | null;
  /** null without `--note`. */
  note_recorded: boolean | null;
}

export async function move(project: Project, options: MoveOptions): Promise<MoveReport> {
  const id = wpIdArgument(options.wp);
  const to = laneArgument(options.to);
  const actor = actorArgument(options.actor, "--actor");
  const reason = options.reason?.trim();
  if (options.force && !reason) throw new UsageError("--force needs --reason TEXT saying why");
  const note = options.note?.trim();
  if (options.note !== undefined && !note) throw new UserError("--note cannot be empty");
  const target = await resolveFeature(project, options.feature);
  const wp = await locateWorkPackage(target, id);
  await beginLaneChanges(target);
  let forced = false;
  const status = await applyStatusChange(target, wp, actor, (current) => {
    if (current.lane === to) return null;
    const problem = transitionProblem(current.lane, to);
    if (problem !== null && !options.force) {
      const starting = current.lane === IMPLEMENT_SHORTCUT.from && to === IMPLEMENT_SHORTCUT.to;
      throw new UserError(`cannot move ${id}: ${problem}`, {
        hint: starting ? `to start it, run \`kittify implement ${id}\`` : undefined,
      });
    }
    forced = problem !== null;
    return to;
  });
  let note_recorded: boolean | null = null;
  if (note) {
    note_recorded = await record(
      target.emitter,
      historyAdded(id, "note", note, actor),
      `noted on ${id}`,
    );
  }
  return { ...status, forced, reason: forced ? reason! : null, note_recorded };
}
