/** Reads the features of a repository and the work packages of a feature from disk. */
import { join } from "node:path";
import { isFeatureSlug, wpIdFromFileName, wpNumber } from "./ids.ts";
import { featureDir, specsDir, tasksDir } from "./layout.ts";
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
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/** Every feature slug under `kitty-specs/`, sorted. */
export async function listFeatures(root: string): Promise<string[]> {
  const found = await entries(specsDir(root));
  return found.filter((e) => e.isDirectory && isFeatureSlug(e.name)).map((e) => e.name).sort();
}

export async function featureExists(root: string, feature: string): Promise<boolean> {
  try {
    return (await Deno.stat(featureDir(root, feature))).isDirectory;
  } catch {
    return false;
  }
}

export interface FeatureScan {
  feature: string;
  /** Sorted by number. */
  workPackages: WorkPackage[];
  /** Task files that are not usable work packages (broken frontmatter, duplicate id, ...). */
  problems: WorkPackageProblem[];
}

/** Reads every `tasks/WPnn-*.md` of a feature. */
export async function scanFeature(root: string, feature: string): Promise<FeatureScan> {
  const dir = tasksDir(root, feature);
  const names = (await entries(dir))
    .filter((e) => e.isFile && wpIdFromFileName(e.name) !== null)
    .map((e) => e.name)
    .sort();
  const parsed = await Promise.all(names.map(async (name) => {
    const path = join(dir, name);
    return parseWorkPackage(path, await Deno.readTextFile(path));
  }));
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
