/**
 * `implement WPnn`: planned → in_progress with exactly one WPStatusChanged. Already in_progress:
 * nothing changes and nothing is emitted. Any other lane is a user error.
 */
import { UserError } from "../common/errors.ts";
import { actorArgument } from "./actor.ts";
import { beginLaneChanges } from "./record.ts";
import { applyStatusChange, type StatusChangeReport } from "./status_change.ts";
import { IMPLEMENT_SHORTCUT } from "./transitions.ts";
import { locateWorkPackage, type Project, resolveFeature, wpIdArgument } from "./target.ts";

export async function implement(
  project: Project,
  options: { wp: string; agent?: string; feature?: string },
): Promise<StatusChangeReport> {
  const id = wpIdArgument(options.wp);
  const actor = actorArgument(options.agent, "--agent");
  const target = await resolveFeature(project, options.feature);
  const wp = await locateWorkPackage(target, id);
  await beginLaneChanges(target);
  return await applyStatusChange(target, wp, actor, (current) => {
    if (current.lane === IMPLEMENT_SHORTCUT.to) return null;
    if (current.lane !== IMPLEMENT_SHORTCUT.from) {
      throw new UserError(`${id} is ${current.lane}; implement starts planned work packages only`, {
        hint: `use \`kittify move ${id} --to in_progress\` for other lanes`,
      });
    }
    return IMPLEMENT_SHORTCUT.to;
  });
}
