/** Reads the features of a repository and the work packages of a feature from disk. */
import { basename, join } from "../common/path.ts";
import { describeError, UserError } from "../common/errors.ts";
import { isFeatureSlug, wpIdFromFileName, wpNumber } from "./ids.ts";
import { specsDir, tasksDir } from "./layout.ts";
import {
  isProblem,
  parseWorkPackage,
  type WorkPackage,
  type WorkPackageProblem,
} from "./work_package.ts";

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) out.push(entry);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return out;
    // Not a directory, no permission, ...: the repository's state, not a bug in kittify.
    throw new UserError(`cannot read ${dir}: ${describeError(err)}`, { cause: err });
  }
  return out;
}

/** Every feature slug under `kitty-specs/`, sorted. */
export async function listFeatures(root: string): Promise<string[]> {
  const found = await entries(specsDir(root));
  return found.filter((e) => e.isDirectory && isFeatureSlug(e.name)).map((e) => e.name).sort();
}

export interface FeatureScan {
  feature: string;
  /** Sorted by number. */
  workPackages: WorkPackage[];
  /** Task files that are not usable work packages (broken frontmatter, duplicate id, ...). */
  problems: WorkPackageProblem[];
}

/** The task files of a feature by WP id, from the file names alone (nothing is parsed). */
export async function taskFiles(root: string, feature: string): Promise<Map<string, string[]>> {
  const dir = tasksDir(root, feature);
  const byId = new Map<string, string[]>();
  const names = (await entries(dir)).filter((e) => e.isFile).map((e) => e.name).sort();
  for (const name of names) {
    const id = wpIdFromFileName(name);
    if (id === null) continue;
    const paths = byId.get(id) ?? [];
    paths.push(join(dir, name));
    byId.set(id, paths);
  }
  return byId;
}

export async function readWorkPackage(path: string): Promise<WorkPackage | WorkPackageProblem> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    // An unreadable task file is reported like a broken one, never a crash.
    return { path, id: wpIdFromFileName(basename(path)), reason: describeError(err) };
  }
  return parseWorkPackage(path, text);
}

/** Reads the task files of the given ids (each once; the first file of a duplicated id). */
export async function readWorkPackages(
  root: string,
  feature: string,
  ids: readonly string[],
): Promise<WorkPackage[]> {
  const files = await taskFiles(root, feature);
  const paths = ids.flatMap((id) => files.get(id)?.slice(0, 1) ?? []);
  const read = await Promise.all(paths.map(readWorkPackage));
  return read.filter((item): item is WorkPackage => !isProblem(item));
}

/** Reads every `tasks/WPnn-*.md` of a feature. */
export async function scanFeature(root: string, feature: string): Promise<FeatureScan> {
  const files = [...(await taskFiles(root, feature)).values()].flat();
  const parsed = await Promise.all(files.map(readWorkPackage));
  const workPackages: WorkPackage[] = [];
  const problems: WorkPackageProblem[] = [];
  const byId = new Map<string, WorkPackage>();
  for (const item of parsed) {
    if (isProblem(item)) {
      problems.push(item);
      continue;
    }
    const first = byId.get(item.id);
    if (first) {
      problems.push({ path: item.path, id: item.id, reason: `duplicate id (also ${first.path})` });
      continue;
    }
    byId.set(item.id, item);
    workPackages.push(item);
  }
  workPackages.sort((a, b) => wpNumber(a.id) - wpNumber(b.id));
  return { feature, workPackages, problems };
}
