/**
 * The git configuration a repository is read with (its own config file, the user's and the
 * system's), accepted only when nothing in it changes what the repository's files mean or makes
 * git refuse to start, as far as can be told without git: every line plainly valid in git's
 * syntax, no include, a known repository format and extension, no `core.worktree`, not a bare
 * repository, no key without a value (but switches), and valid values for the keys that git
 * checks whenever it starts (the table below; keys it does not list are not checked). Otherwise
 * null, so that git itself is asked (and says what it says).
 */
import { isAbsolute, join } from "../common/path.ts";
import type { GitHost } from "./discover.ts";
import { readTextSyncOrNull } from "../common/stat.ts";
import { configEntries, type ConfigEntry } from "./config_syntax.ts";

/**
 * System config files of the common git builds on this system (Linux distributions, Homebrew,
 * MacPorts, git-scm's and Apple's installers); a git built with another prefix (Nix, conda, a
 * build from source) reads one elsewhere, which is missed: an `insteadOf` rule there goes
 * unnoticed.
 */
export const SYSTEM_CONFIG_FILES: readonly string[] = Deno.build.os === "darwin"
  ? [
    "/etc/gitconfig",
    "/usr/local/etc/gitconfig",
    "/opt/homebrew/etc/gitconfig",
    "/opt/local/etc/gitconfig",
    "/usr/local/git/etc/gitconfig",
    "/Library/Developer/CommandLineTools/usr/share/git-core/gitconfig",
    "/Applications/Xcode.app/Contents/Developer/usr/share/git-core/gitconfig",
  ]
  : ["/etc/gitconfig", "/usr/local/etc/gitconfig", "/home/linuxbrew/.linuxbrew/etc/gitconfig"];

export interface GitConfigs {
  /** The entries of the repository's own config file. */
  local: ConfigEntry[];
  /** The entries of the user's and the system's config files, one list for all. */
  outside: ConfigEntry[];
  objectFormat: "sha1" | "sha256";
}

/** The configs of a repository whose common directory is `commonDir`, or null (ask git). */
export function readGitConfigs(commonDir: string, host: GitHost): GitConfigs | null {
  const home = host.env("HOME");
  const xdg = host.env("XDG_CONFIG_HOME");
  // git resolves a relative path against a directory of its own choosing: leave that to git.
  if (!home || !isAbsolute(home) || (xdg !== undefined && xdg !== "" && !isAbsolute(xdg))) {
    return null;
  }
  const user = [join(home, ".gitconfig"), join(xdg || join(home, ".config"), "git", "config")];
  const [local, ...others] = [join(commonDir, "config"), ...user, ...host.systemConfigFiles()].map(
    readTextSyncOrNull,
  );
  if (local === null) return null;
  const localEntries = configEntries(local);
  if (localEntries === null) return null;
  const outside: ConfigEntry[] = [];
  for (const text of others) {
    if (text === null) continue;
    const entries = configEntries(text);
    if (entries === null) return null;
    outside.push(...entries);
  }
  if (!localEntries.every(plainEverywhere) || !outside.every(plainEverywhere)) return null;
  return repositoryFormat(localEntries, outside);
}

function repositoryFormat(entries: ConfigEntry[], outside: ConfigEntry[]): GitConfigs | null {
  let version = "0";
  let objectFormat: GitConfigs["objectFormat"] | null = null;
  for (const e of entries) {
    if (e.section === "core" && e.key === "repositoryformatversion") version = e.value ?? "";
    if (e.section === "core" && (e.key === "worktree" || (e.key === "bare" && !isFalse(e.value)))) {
      return null;
    }
    if (e.section === "extensions") {
      if (e.key !== "objectformat" || (e.value !== "sha1" && e.value !== "sha256")) return null;
      objectFormat = e.value;
    }
  }
  if (version !== "0" && version !== "1") return null;
  // Git refuses any extension in a version 0 repository.
  if (version === "0" && objectFormat !== null) return null;
  return { local: entries, outside, objectFormat: objectFormat ?? "sha1" };
}

const BOOLEAN = "true|false|yes|no|on|off|1|0|";
const oneOf = (words: string) => new RegExp(`^(?:${words})$`, "i");
const SIZE = /^\d+[kmg]?$/i;
const LEVEL = /^(?:-1|[0-9])$/;

/**
 * Values git checks whenever it starts (its default configuration), by `section.key`, with `*`
 * for any subsection: a value outside these makes every git command stop.
 */
const CHECKED_VALUES: Record<string, RegExp> = {
  ...Object.fromEntries(
    [
      "bare",
      "filemode",
      "ignorecase",
      "precomposeunicode",
      "symlinks",
      "trustctime",
      "quotepath",
      "protecthfs",
      "protectntfs",
      "preloadindex",
      "splitindex",
      "fsyncobjectfiles",
      "warnambiguousrefs",
      "sparsecheckout",
      "sparsecheckoutcone",
      "multipackindex",
      "commitgraph",
      "usereplacerefs",
    ].map((key) => [`core.${key}`, oneOf(BOOLEAN)]),
  ),
  ...Object.fromEntries(
    ["mirror", "prune", "prunetags", "skipdefaultupdate", "skipfetchall"].map((key) => [
      `remote.*.${key}`,
      oneOf(BOOLEAN),
    ]),
  ),
  "core.logallrefupdates": oneOf(`${BOOLEAN}|always`),
  "core.abbrev": oneOf("auto|no|false|off|[4-9]|[1-5][0-9]|6[0-4]"),
  "core.compression": LEVEL,
  "core.loosecompression": LEVEL,
  "pack.compression": LEVEL,
  "core.autocrlf": oneOf(`${BOOLEAN}|input`),
  "core.safecrlf": oneOf(`${BOOLEAN}|warn`),
  "core.eol": oneOf("lf|crlf|native"),
  "core.commentchar": /^(?:auto|[^ \t])$/i,
  "core.checkstat": oneOf("default|minimal"),
  "core.createobject": oneOf("rename|link"),
  "core.hidedotfiles": oneOf(`${BOOLEAN}|dotgitonly`),
  "core.untrackedcache": oneOf(`${BOOLEAN}|keep`),
  "core.packedgitwindowsize": SIZE,
  "core.packedgitlimit": SIZE,
  "core.deltabasecachelimit": SIZE,
  "core.bigfilethreshold": SIZE,
  "pack.packsizelimit": SIZE,
  "branch.autosetupmerge": oneOf(`${BOOLEAN}|always|inherit|simple`),
  "branch.autosetuprebase": oneOf("never|local|remote|always"),
  "push.default": oneOf("nothing|matching|simple|upstream|tracking|current"),
};

/** Nothing in the entry that changes how git reads the repository or makes it refuse to start. */
function plainEverywhere(e: ConfigEntry): boolean {
  if (e.section === "include" || e.section === "includeif") return false;
  const rule = CHECKED_VALUES[`${e.section}.${e.subsection === null ? "" : "*."}${e.key}`];
  // A key without `=` is true to a switch, and a missing value to anything else.
  if (e.value === null) return rule !== undefined && rule.test("true");
  return rule === undefined || rule.test(e.value);
}

function isFalse(value: string | null): boolean {
  return value !== null && /^(?:false|no|off|0)$/i.test(value);
}
