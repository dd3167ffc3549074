/** `tasks list`: the work packages of a feature, optionally of one lane. */
import { relative } from "../common/path.ts";
import { type Lane, laneArgument } from "./lanes.ts";
import type { WorkPackageProblem } from "./work_package.ts";
import { type Project, scanTarget } from "./target.ts";

/** One row of `tasks list --json` (and of `tasks add --json`). */
export interface TaskListEntry {
  feature: string;
  wp_id: string;
  title: string;
  lane: Lane;
  dependencies: string[];
  /** Relative to the repository root, `/`-separated. */
  path: string;
}

export interface TaskListReport {
  feature: string;
  entries: TaskListEntry[];
  problems: WorkPackageProblem[];
}

export async function listTasks(
  project: Project,
  options: { feature?: string; lane?: string },
): Promise<TaskListReport> {
  const lane = options.lane === undefined ? undefined : laneArgument(options.lane);
  const { root, feature, scan } = await scanTarget(project, options.feature);
  const entries = scan.workPackages
    .filter((wp) => lane === undefined || wp.lane === lane)
    .map((wp) => ({
      feature,
      wp_id: wp.id,
      title: wp.title,
      lane: wp.lane,
      dependencies: wp.dependencies,
      path: relative(root, wp.path).replaceAll("\\", "/"),
    }));
  return { feature, entries, problems: scan.problems };
}
