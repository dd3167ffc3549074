/**
 * The URL of the `origin` remote read from the repository's config file, as `git remote get-url
 * origin` prints it, in the ordinary case: one plain `url = …` in one or more `[remote
 * "origin"]` sections of the repository's own config, and no configuration that could change
 * it. Anything else gives `undefined`, so that the caller asks git:
 * - `url.<base>.insteadOf` rules or `[include]`/`[includeIf]` sections in the repository's, the
 *   user's (`~/.gitconfig`, `$XDG_CONFIG_HOME/git/config`) or a system config file (at the
 *   places git is installed to by Linux distributions, Homebrew and Xcode; a git built with
 *   another prefix reads its system file elsewhere, and that one is not looked at);
 * - a remote section in the user's or the system config, a per-worktree config file;
 * - a value with quotes, escapes, comments or spaces, several URLs, a line that continues;
 * - no URL in the config while legacy `remotes/origin` or `branches/origin` files exist.
 * With none of that and no `origin` section, there is no origin: null, as git says.
 */
import { join } from "../common/path.ts";
import { type GitDirs, type GitHost, readIfExists } from "./discover.ts";

/** System config files of the common git builds. */
export const SYSTEM_CONFIG_FILES: readonly string[] = [
  "/etc/gitconfig",
  "/usr/local/etc/gitconfig",
  "/opt/homebrew/etc/gitconfig",
  "/home/linuxbrew/.linuxbrew/etc/gitconfig",
  "/Library/Developer/CommandLineTools/usr/share/git-core/gitconfig",
  "/Applications/Xcode.app/Contents/Developer/usr/share/git-core/gitconfig",
];

/** Anything in a config file that could change which URL git prints. */
const REWRITES = /insteadof|^\s*\[\s*include/im;
const REMOTE_SECTION = /^\s*\[\s*remote\b/im;

/** The origin URL (null: there is no origin), or undefined when git should be asked. */
export async function readOriginFiles(
  dirs: GitDirs,
  host: GitHost,
): Promise<string | null | undefined> {
  try {
    return await readOrigin(dirs, host);
  } catch {
    return undefined;
  }
}

async function readOrigin(
  { gitDir, commonDir }: GitDirs,
  host: GitHost,
): Promise<string | null | undefined> {
  const home = host.env("HOME");
  if (!home) return undefined;
  const xdg = host.env("XDG_CONFIG_HOME") || join(home, ".config");
  const outside = [join(home, ".gitconfig"), join(xdg, "git", "config"), ...SYSTEM_CONFIG_FILES];
  const [local, worktreeConfig, ...others] = await Promise.all([
    readIfExists(join(commonDir, "config")),
    readIfExists(join(gitDir, "config.worktree")),
    ...outside.map(readIfExists),
  ]);
  if (local === null || worktreeConfig !== null) return undefined;
  for (const text of others) {
    if (text !== null && (REWRITES.test(text) || REMOTE_SECTION.test(text))) return undefined;
  }
  if (REWRITES.test(local)) return undefined;
  const url = originUrlInConfig(local);
  if (url !== null) return url;
  const legacy = await Promise.all(
    ["remotes", "branches"].map((dir) => readIfExists(join(commonDir, dir, "origin"))),
  );
  return legacy.every((text) => text === null) ? null : undefined;
}

/** `[name]` or `[name "subsection"]`, then nothing but a comment (git's syntax, escapes aside). */
const SECTION = /^\s*\[([A-Za-z0-9.-]+)(?:\s+"([^"\\]*)")?\]\s*(?:[#;].*)?$/;
const ENTRY = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*?))?\s*$/;
const PLAIN_VALUE = /^[^\s"\\;#]+$/;

/**
 * The one `url` of `[remote "origin"]` in a config file's text (null: no such section), or
 * undefined when the text is not plain enough to be sure.
 */
export function originUrlInConfig(text: string): string | null | undefined {
  const urls: string[] = [];
  let inOrigin = false;
  let sawOrigin = false;
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (/^\s*(?:[#;].*)?$/.test(line)) continue;
    if (line.endsWith("\\")) return undefined; // continues on the next line
    if (/^\s*\[/.test(line)) {
      const section = SECTION.exec(line);
      if (!section) return undefined; // an entry after the header, escapes, a broken header
      const name = section[1].toLowerCase();
      // `[remote.origin]`: the old spelling is git's to read.
      if (name.startsWith("remote.")) return undefined;
      inOrigin = name === "remote" && section[2] === "origin";
      sawOrigin ||= inOrigin;
      continue;
    }
    if (!inOrigin) continue;
    const entry = ENTRY.exec(line);
    if (!entry) return undefined;
    if (entry[1].toLowerCase() !== "url") continue;
    const value = entry[2];
    if (value === undefined || !PLAIN_VALUE.test(value)) return undefined;
    urls.push(value);
  }
  if (!sawOrigin) return null;
  return urls.length === 1 ? urls[0] : undefined;
}
