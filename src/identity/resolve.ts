/**
 * Resolves the identity of the project around a directory, backfilling missing fields
 * (first-write-wins), and falling back to the user store when the config cannot be written or
 * is broken. Within one process a repository has exactly one identity.
 */
import { load } from "../common/load.ts";
import { join } from "../common/path.ts";
import { describeError, isWriteDenied, NotInProjectError } from "../common/errors.ts";
import { kittifyHome } from "../common/home.ts";
import { warnOnce } from "../common/warnings.ts";
import { USER_STORE_FILE } from "../store/open.ts";
import { autoStartOf, type ConfigOk, missingFields, readConfig } from "./config_doc.ts";
import { RepoFacts } from "./defaults.ts";
import { lockedUpdate, ReadOnlyFileError } from "./locked_update.ts";
import { configPathOf, findRepoRoot } from "./repo_root.ts";
import type { ResolvedIdentity, StoredFields } from "./types.ts";

const cache = new Map<string, Promise<ResolvedIdentity>>();

/** The identity of the project containing `cwd`; throws NotInProjectError outside any. */
export async function resolveIdentity(cwd: string = Deno.cwd()): Promise<ResolvedIdentity> {
  const root = await findRepoRoot(cwd);
  if (!root) throw new NotInProjectError(cwd);
  return resolveAtRoot(root);
}

/** The identity of the repository at `root` (cached for the life of the process). */
export function resolveAtRoot(root: string): Promise<ResolvedIdentity> {
  let pending = cache.get(root);
  if (!pending) {
    pending = resolveUncached(root);
    cache.set(root, pending);
    pending.catch(() => cache.delete(root));
  }
  return pending;
}

/** Forgets cached identities (after `init` rewrote a config). */
export function forgetIdentities(): void {
  cache.clear();
}

const IDENTITY_WARNING = "identity";

async function resolveUncached(root: string): Promise<ResolvedIdentity> {
  const configPath = configPathOf(root);
  const facts = new RepoFacts(root);
  let text: string | null;
  try {
    text = await Deno.readTextFile(configPath);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      return fallback(facts, configPath, {}, `cannot read ${configPath} (${describeError(err)})`);
    }
    text = null;
  }
  const read = readConfig(text);
  if (read.kind === "broken") {
    return fallback(
      facts,
      configPath,
      read.salvage,
      `${configPath} is broken (${read.reason}); the file was left untouched, ` +
        "run `kittify init --repair` to replace it",
    );
  }
  for (const note of read.notes) warnOnce(`note:${note}`, note);
  if (missingFields(read.fields).length === 0) {
    return fromConfig(facts, configPath, read);
  }
  const defaults = await facts.defaults(read.fields);
  // The document editor is loaded only now: reading needs none of it.
  const { fillConfig } = await load<typeof import("./config_edit.ts")>(
    new URL("./config_edit.ts", import.meta.url),
  );
  try {
    const onDisk = await lockedUpdate(configPath, (current) => {
      const now = readConfig(current);
      if (now.kind !== "ok" || missingFields(now.fields).length === 0) return null;
      return fillConfig(current, now, { ...defaults, ...now.fields });
    });
    const final = readConfig(onDisk);
    if (final.kind === "ok" && missingFields(final.fields).length === 0) {
      return fromConfig(facts, configPath, final);
    }
    const reason = final.kind === "broken" ? final.reason : "it changed while being written";
    return fallback(facts, configPath, read.fields, `${configPath} is unusable (${reason})`, {
      autoStart: autoStartOf(read),
    });
  } catch (err) {
    if (!isWriteDenied(err) && !(err instanceof ReadOnlyFileError)) throw err;
    const why = err instanceof ReadOnlyFileError ? err.message : describeError(err);
    return fallback(facts, configPath, read.fields, `cannot write ${configPath} (${why})`, {
      autoStart: autoStartOf(read),
    });
  }
}

async function fromConfig(
  facts: RepoFacts,
  configPath: string,
  read: ConfigOk,
): Promise<ResolvedIdentity> {
  const fields = read.fields as Required<StoredFields>;
  return {
    identity: {
      project_uuid: fields.uuid,
      project_slug: fields.slug,
      node_id: fields.node_id,
      repo_slug: await facts.repoSlug(read.repoSlugOverride),
    },
    source: "config",
    autoStart: autoStartOf(read),
    repoRoot: facts.repoRoot,
    configPath,
  };
}

async function fallback(
  facts: RepoFacts,
  configPath: string,
  known: StoredFields,
  reason: string,
  { autoStart }: { autoStart: boolean } = { autoStart: true },
): Promise<ResolvedIdentity> {
  const candidate = await facts.defaults(known);
  let fields: Required<StoredFields>;
  let source: ResolvedIdentity["source"];
  try {
    // Loaded only here: a readable, complete config never needs it.
    const { storedFallback } = await load<typeof import("./fallback.ts")>(
      new URL("./fallback.ts", import.meta.url),
    );
    fields = { ...(await storedFallback(facts.repoRoot, candidate)), ...known };
    source = "fallback";
    const store = join(kittifyHome(), USER_STORE_FILE);
    warnOnce(IDENTITY_WARNING, `${reason}; using the fallback identity kept in ${store}`);
  } catch (err) {
    fields = candidate;
    source = "memory";
    warnOnce(
      IDENTITY_WARNING,
      `${reason}; the user store is unavailable too (${describeError(err)}), ` +
        "so this identity is in memory only and not persisted",
    );
  }
  return {
    identity: {
      project_uuid: fields.uuid,
      project_slug: fields.slug,
      node_id: fields.node_id,
      repo_slug: await facts.repoSlug(null),
    },
    source,
    autoStart,
    repoRoot: facts.repoRoot,
    configPath,
  };
}
