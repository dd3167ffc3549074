/**
 * `implement WPnn`: planned → in_progress with exactly one WPStatusChanged. Already in_progress:
 * nothing changes and nothing is emitted. Any other lane is a user error.
 */
import { UserError } from "../common/errors.ts";
import { actorArgument } from "./actor.ts";
import { applyStatusChange, type StatusChangeReport } from "./status_change.ts";
import { findWorkPackage, scanTarget, wpIdArgument } from "./target.ts";

export async function implement(
  cwd: string,
  options: { wp: string; agent?: string; feature?: string },
): Promise<StatusChangeReport> {
  const id = wpIdArgument(options.wp);
  const actor = actorArgument(options.agent, "--agent");
  const { scan } = await scanTarget(cwd, options.feature);
  const wp = findWorkPackage(scan, id);
  return await applyStatusChange(cwd, scan, wp, actor, (current) => {
    if (current.lane === "in_progress") return null;
    if (current.lane !== "planned") {
      throw new UserError(`${id} is ${current.lane}; implement starts planned work packages only`, {
        hint: `use \`kittify move ${id} --to in_progress\` for other lanes`,
      });
    }
    return "in_progress";
  });
}
