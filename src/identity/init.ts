/** `kittify init`: create or complete `.kittify/config.yaml`, or repair a broken one. */
import { load } from "../common/load.ts";
import { join } from "../common/path.ts";
import { describeError, isWriteDenied, UserError } from "../common/errors.ts";
import { exists } from "../common/stat.ts";
import { warn } from "../common/warnings.ts";
import { missingFields, readConfig } from "./config_doc.ts";
import { RepoFacts } from "./defaults.ts";
import { existingFallback } from "./fallback.ts";
import { lockedUpdate, ReadOnlyFileError } from "./locked_update.ts";
import { configPathOf, findRepoRoot } from "./repo_root.ts";
import { forgetIdentities, resolveAtRoot } from "./resolve.ts";
import { kebab } from "./slug.ts";
import type { ResolvedIdentity, StoredFields } from "./types.ts";

export interface InitReport {
  /** created: new file; filled: missing fields added; unchanged: already complete. */
  action: "created" | "filled" | "unchanged" | "repaired";
  /** Fields written by this run. */
  filled: string[];
  /** Where a broken config was moved by `--repair`. */
  backup: string | null;
  /** What the user asked for that was not applied, e.g. `--slug` on an existing slug. */
  notes: string[];
  resolved: ResolvedIdentity;
}

/** `config.yaml.broken-20261121T044500Z` style suffix. */
export function backupSuffix(now: Date): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** `base`, or `base-2`, `base-3`, ... : a backup never replaces an earlier one. */
async function freeBackupPath(base: string): Promise<string> {
  for (let n = 1;; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    try {
      await Deno.lstat(candidate);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return candidate;
      throw err;
    }
  }
}

export async function initProject(
  cwd: string,
  options: { slug?: string; repair?: boolean; now?: Date } = {},
): Promise<InitReport> {
  const root = (await findRepoRoot(cwd)) ?? cwd;
  if (!(await exists(join(root, ".git")))) {
    warn(
      `${root} is not a git repository: features are not detected from the branch, and ` +
        "events carry no repo_slug, branch or commit (run `git init` first if you want them)",
    );
  }
  const configPath = configPathOf(root);
  const facts = new RepoFacts(root);
  const slugHint = options.slug === undefined ? undefined : kebab(options.slug);
  const notes: string[] = [];
  let backup: string | null = null;
  let salvage: StoredFields = {};
  let existed = true;
  let filled: string[] = [];

  try {
    if (options.repair) {
      const text = await Deno.readTextFile(configPath).catch(() => null);
      const read = readConfig(text);
      if (read.kind === "broken") {
        backup = await freeBackupPath(
          `${configPath}.broken-${backupSuffix(options.now ?? new Date())}`,
        );
        await Deno.rename(configPath, backup);
        // Keep what was readable; what was not comes from the fallback identity that events
        // carried while the file was broken, so the project keeps one identity throughout.
        salvage = { ...(await existingFallback(root)), ...read.salvage };
      } else {
        notes.push("config.yaml is not broken; nothing to repair");
      }
    }
    await lockedUpdate(configPath, async (current) => {
      existed = current !== null;
      const read = readConfig(current);
      if (read.kind === "broken") {
        throw new UserError(`${configPath} is broken: ${read.reason}`, {
          hint: "run `kittify init --repair` to back it up and write a fresh one",
        });
      }
      filled = missingFields(read.fields);
      if (slugHint && read.fields.slug && read.fields.slug !== slugHint) {
        notes.push(`slug is already '${read.fields.slug}'; --slug ignored`);
      }
      // Complete already (every field, and sync.auto_start present): the document editor, a
      // CommonJS package that costs ~30 ms to load, is not needed.
      if (filled.length === 0 && read.autoStartSetting !== undefined) return current;
      const [{ fillConfig }, defaults] = await Promise.all([
        load<typeof import("./config_edit.ts")>(new URL("./config_edit.ts", import.meta.url)),
        facts.defaults(salvage, slugHint),
      ]);
      const next = fillConfig(current, read, { ...defaults, ...read.fields }, { autoStart: true });
      if (next === current) filled = [];
      else if (filled.length === 0) filled = ["sync.auto_start"];
      return next;
    });
  } catch (err) {
    if (err instanceof ReadOnlyFileError || isWriteDenied(err)) {
      const why = err instanceof ReadOnlyFileError ? err.message : describeError(err);
      throw new UserError(`cannot write ${configPath}: ${why}`);
    }
    if (Object.values(Deno.errors).some((kind) => err instanceof kind)) {
      // The file system said no (e.g. config.yaml is a directory): the user's to fix, no bug.
      throw new UserError(`cannot update ${configPath}: ${describeError(err)}`, { cause: err });
    }
    throw err;
  }
  forgetIdentities();
  const resolved = await resolveAtRoot(root);
  const action = backup
    ? "repaired"
    : !existed
    ? "created"
    : filled.length
    ? "filled"
    : "unchanged";
  return { action, filled, backup, notes, resolved };
}
