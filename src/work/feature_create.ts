/** `feature create`: a new `kitty-specs/NNN-slug/` folder and one FeatureCreated. */
import { join } from "../common/path.ts";
import { atomicCreate } from "../common/atomic_write.ts";
import { UserError } from "../common/errors.ts";
import { warn } from "../common/warnings.ts";
import { formatTimestamp } from "../events/timestamp.ts";
import { currentCheckout } from "./checkout.ts";
import { ensureDir, withDirLock } from "./dirs.ts";
import { featureCreated } from "./events.ts";
import { featureNumberOf, featureSlugOf, isFeatureSlug, nameSlug } from "./ids.ts";
import { featureDir, specsDir } from "./layout.ts";
import { record, runtimeFailure } from "./record.ts";
import { listFeatures } from "./scan.ts";
import type { Project } from "./target.ts";

export interface FeatureCreateOptions {
  name: string;
  number?: string;
  targetBranch?: string;
}

export interface FeatureCreateReport {
  feature: string;
  feature_number: string;
  target_branch: string;
  path: string;
  event_recorded: boolean;
}

const DEFAULT_TARGET_BRANCH = "main";
const MAX_FEATURE_NUMBER = 999;

function parseNumber(text: string): number {
  const n = Number(text.trim());
  if (!/^\d{1,3}$/.test(text.trim()) || n < 1 || n > MAX_FEATURE_NUMBER) {
    throw new UserError(`--number must be 1–${MAX_FEATURE_NUMBER}, got '${text}'`);
  }
  return n;
}

/** Name and number from the arguments; `NNN-slug` as the name brings its own number. */
function nameAndNumber(options: FeatureCreateOptions): { name: string; number?: number } {
  const name = options.name.trim();
  if (nameSlug(name, "") === "") {
    throw new UserError(`'${options.name}' cannot name a feature: it needs a letter or digit`);
  }
  if (options.number !== undefined) return { name, number: parseNumber(options.number) };
  if (isFeatureSlug(name)) return { name: name.slice(4), number: Number(featureNumberOf(name)) };
  return { name };
}

function nextNumber(features: string[]): number {
  const next = Math.max(0, ...features.map((f) => Number(featureNumberOf(f)))) + 1;
  if (next > MAX_FEATURE_NUMBER) {
    throw new UserError(`kitty-specs/ already has feature ${MAX_FEATURE_NUMBER}; pass --number`);
  }
  return next;
}

/** The folder with `tasks/` and `meta.json`; a half-made folder is removed again. */
async function writeFeatureFolder(dir: string, meta: Record<string, string>): Promise<void> {
  await Deno.mkdir(dir);
  try {
    await Deno.mkdir(join(dir, "tasks"));
    await atomicCreate(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

export async function createFeature(
  project: Project,
  options: FeatureCreateOptions,
): Promise<FeatureCreateReport> {
  const { name, number } = nameAndNumber(options);
  const { cwd, root, emitter } = project;
  const targetBranch = options.targetBranch?.trim() ||
    (await currentCheckout(cwd)).branch || DEFAULT_TARGET_BRANCH;
  let feature = "";
  try {
    await ensureDir(specsDir(root));
    await withDirLock(specsDir(root), async () => {
      const features = await listFeatures(root);
      const n = number ?? nextNumber(features);
      feature = featureSlugOf(n, name);
      const taken = features.find((f) => f.startsWith(feature.slice(0, 4)));
      if (taken) {
        throw new UserError(`feature number ${featureNumberOf(feature)} is taken by ${taken}`, {
          hint: "leave out --number to use the next free one",
        });
      }
      const sameName = features.filter((f) => f.slice(4) === feature.slice(4));
      if (sameName.length > 0) {
        warn(
          `${sameName.join(", ")} already ${sameName.length === 1 ? "has" : "have"} this name; ` +
            `pick the new one by its number (--feature ${featureNumberOf(feature)})`,
        );
      }
      await writeFeatureFolder(featureDir(root, feature), {
        feature_number: featureNumberOf(feature),
        slug: feature,
        friendly_name: name,
        target_branch: targetBranch,
        created_at: formatTimestamp(),
      });
    });
  } catch (err) {
    throw await runtimeFailure(err, emitter, { doing: `creating feature ${feature || name}` });
  }
  const event_recorded = await record(
    emitter,
    featureCreated(feature, targetBranch),
    `created ${feature}`,
  );
  return {
    feature,
    feature_number: featureNumberOf(feature),
    target_branch: targetBranch,
    path: featureDir(root, feature),
    event_recorded,
  };
}
