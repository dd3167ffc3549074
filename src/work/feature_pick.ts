/**
 * Which feature a command works on (pure): `--feature`, else the feature folder the command runs
 * in, else the current branch or worktree name (`NNN-slug` or `NNN-slug-WPnn`), else the only
 * feature of the repository.
 */
import { UserError } from "../common/errors.ts";
import { nameSlug } from "./ids.ts";

export interface FeatureClues {
  /** `--feature` as typed: a full slug or its number (`001`, `1`). */
  flag?: string;
  /** The `kitty-specs/` folder the command runs in (or below), if any. */
  folder?: string | null;
  branch: string | null;
  /** Directory name of the linked worktree the command runs in, if any. */
  worktree: string | null;
  /** Every feature slug in `kitty-specs/`, sorted. */
  features: readonly string[];
}

/** The feature slug a branch or worktree name points at (`001-x-WP02` → `001-x`), or null. */
export function featureFromName(name: string): string | null {
  const match = /^(\d{3}-[\p{L}\p{M}\p{N}-]+?)(?:-wp\d{2,3})?$/iu.exec(
    name.trim().normalize("NFC"),
  );
  return match ? match[1].toLowerCase() : null;
}

function fromFlag(flag: string, features: readonly string[]): string {
  const text = flag.trim().replace(/[/\\]+$/, "").split(/[/\\]/).pop() ?? "";
  if (features.includes(text)) return text;
  if (/^\d{1,3}$/.test(text)) {
    const prefix = `${text.padStart(3, "0")}-`;
    const matches = features.filter((f) => f.startsWith(prefix));
    if (matches.length === 1) return matches[0];
  }
  // The name without its number: `beta-release` (or `Beta Release`) for `002-beta-release`.
  const byName = features.filter((f) => f.slice(4) === nameSlug(text, ""));
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    throw new UserError(`'${flag}' names ${byName.length} features: ${byName.join(", ")}`, {
      hint: `pass its number, e.g. --feature ${byName[0].slice(0, 3)}`,
    });
  }
  throw new UserError(`no feature '${flag}' in kitty-specs/`, { hint: candidatesHint(features) });
}

function candidatesHint(features: readonly string[]): string {
  return features.length === 0
    ? "create one with `kittify feature create NAME`"
    : `features: ${features.join(", ")}`;
}

export function pickFeature(clues: FeatureClues): string {
  const { features } = clues;
  if (clues.flag !== undefined) return fromFlag(clues.flag, features);
  if (clues.folder && features.includes(clues.folder)) return clues.folder;
  for (const name of [clues.branch, clues.worktree]) {
    const slug = name === null ? null : featureFromName(name);
    if (slug !== null && features.includes(slug)) return slug;
  }
  if (features.length === 1) return features[0];
  if (features.length === 0) {
    throw new UserError("this repository has no features in kitty-specs/ yet", {
      hint: candidatesHint(features),
    });
  }
  throw new UserError(
    `cannot tell which feature to use (${features.length} features, and the branch ` +
      `'${clues.branch ?? "?"}' names none of them)`,
    { hint: `pass --feature; ${candidatesHint(features)}` },
  );
}
