/**
 * The URL of the `origin` remote read from the repository's config, as `git remote get-url
 * origin` prints it, in the ordinary case: one plainly written `url` in the `[remote "origin"]`
 * sections of the repository's own config (read and checked by ./config_files.ts), and nothing
 * that could change it. Anything else gives `undefined`, so that the caller asks git:
 * - `url.<base>.insteadOf` rules in any config file;
 * - a remote section in the user's or the system config;
 * - a url with quotes, escapes, comments or spaces, several urls, a section of the old
 *   `[remote.origin]` spelling;
 * - no url in the config while legacy `remotes/origin` or `branches/origin` files exist.
 * With none of that and no `origin` section, there is no origin: null, as git says.
 */
import { join } from "../common/path.ts";
import type { GitConfigs } from "./config_files.ts";
import type { ConfigEntry } from "./config_syntax.ts";
import type { GitDirs } from "./discover.ts";
import { lstatSyncOrNull } from "../common/stat.ts";

const PLAIN_URL = /^[^\s"\\;#]+$/;

/** The origin URL (null: there is no origin), or undefined when git should be asked. */
export function readOriginFiles(
  { commonDir }: GitDirs,
  { local, outside }: GitConfigs,
): string | null | undefined {
  try {
    if ([...local, ...outside].some(rewritesUrls)) return undefined;
    if (outside.some((e) => e.section.startsWith("remote"))) return undefined;
    const url = originUrlIn(local);
    if (url !== null) return url;
    const legacy = ["remotes", "branches"].map((dir) =>
      lstatSyncOrNull(join(commonDir, dir, "origin"))
    );
    return legacy.every((info) => info === null) ? null : undefined;
  } catch {
    return undefined;
  }
}

/** `url.<base>.insteadOf` (or `pushInsteadOf`): a rule that changes the URLs git prints. */
function rewritesUrls(e: ConfigEntry): boolean {
  return e.key.endsWith("insteadof");
}

/**
 * The one `url` of `[remote "origin"]` among a config file's entries (null: no such section), or
 * undefined when it is not plain enough to be sure.
 */
function originUrlIn(entries: ConfigEntry[]): string | null | undefined {
  if (entries.some((e) => e.section.startsWith("remote."))) return undefined;
  const origin = entries.filter((e) => e.section === "remote" && e.subsection === "origin");
  if (origin.length === 0) return null;
  const urls = origin.filter((e) => e.key === "url");
  if (urls.length !== 1 || urls[0].raw === null) return undefined;
  const raw = urls[0].raw.trim();
  return PLAIN_URL.test(raw) && urls[0].value === raw ? raw : undefined;
}
