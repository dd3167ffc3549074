/** `tasks add`: the next `WPnn-<title>.md` of a feature, in lane planned (emits nothing). */
import { join, relative } from "../common/path.ts";
import { atomicCreate } from "../common/atomic_write.ts";
import { UserError } from "../common/errors.ts";
import { formatYamlData } from "../common/yaml_data.ts";
import { ensureDir, withDirLock } from "./dirs.ts";
import { MAX_TRACKABLE_WP, wpFileName, wpIdOf, wpNumber } from "./ids.ts";
import { tasksDir } from "./layout.ts";
import { runtimeFailure } from "./record.ts";
import { scanFeature } from "./scan.ts";
import { type Project, resolveFeature, wpIdArgument } from "./target.ts";
import type { TaskListEntry } from "./task_list.ts";

export interface TaskAddOptions {
  title: string;
  feature?: string;
  /** Comma-separated ids (`WP01,WP02`). */
  depends?: string;
}

/** The text of a new task file. */
export function newTaskFile(id: string, title: string, dependencies: string[]): string {
  const frontmatter = formatYamlData({ work_package_id: id, title, lane: "planned", dependencies });
  return `---\n${frontmatter}---\n\n# ${id} – ${title}\n`;
}

function dependencyIds(depends: string | undefined): string[] {
  const parts = (depends ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  return [...new Set(parts.map(wpIdArgument))];
}

export async function addTask(project: Project, options: TaskAddOptions): Promise<TaskListEntry> {
  const title = options.title.trim().replace(/\s+/g, " ");
  if (title === "") throw new UserError("the title of a work package cannot be empty");
  const dependencies = dependencyIds(options.depends);
  const { root, feature } = await resolveFeature(project, options.feature);
  const dir = tasksDir(root, feature);
  try {
    await ensureDir(dir);
    return await withDirLock(dir, async () => {
      const scan = await scanFeature(root, feature);
      const known = new Set(scan.workPackages.map((w) => w.id));
      const missing = dependencies.filter((d) => !known.has(d));
      if (missing.length > 0) {
        throw new UserError(`${feature} has no ${missing.join(", ")} to depend on`);
      }
      const numbers = [...scan.workPackages, ...scan.problems].map((w) => w.id ?? "WP00");
      const next = Math.max(0, ...numbers.map(wpNumber)) + 1;
      if (next > MAX_TRACKABLE_WP) {
        throw new UserError(
          `${feature} already has WP${MAX_TRACKABLE_WP}: work package ids go up to ` +
            `WP${MAX_TRACKABLE_WP}, the largest the event format allows`,
          { hint: "split the work into a new feature (`kittify feature create NAME`)" },
        );
      }
      const id = wpIdOf(next);
      const path = join(dir, wpFileName(id, title));
      if (!(await atomicCreate(path, newTaskFile(id, title, dependencies)))) {
        throw new UserError(`${path} exists already`);
      }
      return {
        feature,
        wp_id: id,
        title,
        lane: "planned" as const,
        dependencies,
        path: relative(root, path).replaceAll("\\", "/"),
      };
    });
  } catch (err) {
    throw await runtimeFailure(err, project.emitter, {
      doing: `adding a work package to ${feature}`,
    });
  }
}
