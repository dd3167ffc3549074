/** Resolves what a command works on: the repository root, the feature, a work package. */
import { NotInProjectError, UserError } from "../common/errors.ts";
import { findRepoRoot } from "../identity/repo_root.ts";
import { currentCheckout } from "./checkout.ts";
import { pickFeature } from "./feature_pick.ts";
import { isTrackableWpId, MAX_TRACKABLE_WP, parseWpId } from "./ids.ts";
import { type FeatureScan, listFeatures, scanFeature } from "./scan.ts";
import type { WorkPackage } from "./work_package.ts";

export interface FeatureTarget {
  cwd: string;
  root: string;
  feature: string;
}

export async function repoRootOf(cwd: string): Promise<string> {
  const root = await findRepoRoot(cwd);
  if (!root) throw new NotInProjectError(cwd);
  return root;
}

/** The feature from `--feature`, the branch or worktree name, or the only feature there is. */
export async function resolveFeature(cwd: string, flag?: string): Promise<FeatureTarget> {
  const root = await repoRootOf(cwd);
  const [features, checkout] = await Promise.all([listFeatures(root), currentCheckout(cwd)]);
  return { cwd, root, feature: pickFeature({ flag, ...checkout, features }) };
}

/** A normalised WP id from user input; a user error for anything else. */
export function wpIdArgument(input: string): string {
  const id = parseWpId(input);
  if (id === null) {
    throw new UserError(`'${input}' is not a work package id`, { hint: "use WPnn, e.g. WP01" });
  }
  return id;
}

/** The work package `id` of a scanned feature; user errors say why it is not usable. */
export function findWorkPackage(scan: FeatureScan, id: string): WorkPackage {
  const wp = scan.workPackages.find((w) => w.id === id);
  const problem = scan.problems.find((p) => p.id === id);
  if (problem && !wp) {
    throw new UserError(`${id} cannot be used: ${problem.path}: ${problem.reason}`);
  }
  if (!wp) {
    const known = scan.workPackages.map((w) => w.id);
    throw new UserError(`no work package ${id} in feature ${scan.feature}`, {
      hint: known.length > 0
        ? `work packages: ${known.join(", ")}`
        : "add one with `kittify tasks add TITLE`",
    });
  }
  if (!isTrackableWpId(wp.id)) {
    throw new UserError(
      `${wp.id} cannot be tracked: event ids go up to WP${MAX_TRACKABLE_WP} (${wp.path})`,
    );
  }
  return wp;
}

/** Resolves the feature and reads it. */
export async function scanTarget(
  cwd: string,
  flag?: string,
): Promise<FeatureTarget & { scan: FeatureScan }> {
  const target = await resolveFeature(cwd, flag);
  return { ...target, scan: await scanFeature(target.root, target.feature) };
}
