/** Resolves what a command works on: the repository root, the feature, a work package. */
import { relative, sep } from "../common/path.ts";
import { UsageError, UserError } from "../common/errors.ts";
import type { Emitter } from "../sync/emitter.ts";
import { currentCheckout } from "./checkout.ts";
import { pickFeature } from "./feature_pick.ts";
import { SPECS_DIR } from "./layout.ts";
import { isTrackableWpId, MAX_TRACKABLE_WP, parseWpId, wpNumber } from "./ids.ts";
import { type FeatureScan, listFeatures, readWorkPackage, scanFeature, taskFiles } from "./scan.ts";
import { isProblem, type WorkPackage } from "./work_package.ts";

/** Where a work command runs: the directory, its repository root, and its emitter. */
export interface Project {
  cwd: string;
  root: string;
  emitter: Emitter;
}

export interface FeatureTarget extends Project {
  feature: string;
}

/**
 * The feature from `--feature`, the feature folder the command runs in, the branch or worktree
 * name, or the only feature there is.
 */
export async function resolveFeature(project: Project, flag?: string): Promise<FeatureTarget> {
  const { cwd, root } = project;
  const [features, checkout] = await Promise.all([listFeatures(root), currentCheckout(cwd)]);
  const folder = featureFolderOf(root, cwd);
  return { ...project, feature: pickFeature({ flag, folder, ...checkout, features }) };
}

/** `NNN-x` when `cwd` is `kitty-specs/NNN-x/` or below it, else null. */
function featureFolderOf(root: string, cwd: string): string | null {
  const [top, folder] = relative(root, cwd).split(sep);
  return top === SPECS_DIR && folder ? folder.normalize("NFC") : null;
}

/** A normalised WP id from user input; a user error for anything else. */
export function wpIdArgument(input: string): string {
  const id = parseWpId(input);
  if (id === null) {
    throw new UsageError(`'${input}' is not a work package id`, { hint: "use WPnn, e.g. WP01" });
  }
  return id;
}

/**
 * The work package `id` of a feature, reading only its own task file; user errors say why it
 * is not usable.
 */
export async function locateWorkPackage(target: FeatureTarget, id: string): Promise<WorkPackage> {
  const files = await taskFiles(target.root, target.feature);
  const paths = files.get(id) ?? [];
  if (paths.length === 0) {
    const known = [...files.keys()].sort((a, b) => wpNumber(a) - wpNumber(b));
    throw new UserError(`no work package ${id} in feature ${target.feature}`, {
      hint: known.length > 0
        ? `work packages: ${known.join(", ")}`
        : `add one with \`kittify tasks add TITLE --feature ${target.feature}\``,
    });
  }
  if (paths.length > 1) {
    throw new UserError(`${id} cannot be used: several task files have it: ${paths.join(", ")}`);
  }
  const wp = await readWorkPackage(paths[0]);
  if (isProblem(wp)) throw new UserError(`${id} cannot be used: ${wp.path}: ${wp.reason}`);
  if (!isTrackableWpId(wp.id)) {
    throw new UserError(
      `${wp.id} cannot be tracked: event ids go up to WP${MAX_TRACKABLE_WP} (${wp.path})`,
    );
  }
  return wp;
}

/** Resolves the feature and reads it. */
export async function scanTarget(
  project: Project,
  flag?: string,
): Promise<FeatureTarget & { scan: FeatureScan }> {
  const target = await resolveFeature(project, flag);
  return { ...target, scan: await scanFeature(target.root, target.feature) };
}
