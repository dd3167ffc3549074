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
  /** The repository's own config file. */
  local: string;
  /** The user's and the system's config files that exist. */
  outside: string[];
  objectFormat: "sha1" | "sha256";
}

/** One `key = value` line of a config file. */
export interface ConfigEntry {
  /** Lower case. */
  section: string;
  /** As written (case matters); null without one. */
  subsection: string | null;
  /** Lower case. */
  key: string;
  /** As git reads it; null for a key without `=` (a true boolean). */
  value: string | null;
  /** As written after `=`; null without `=`. */
  raw: string | null;
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
  const outside = others.filter((text): text is string => text !== null);
  const localEntries = configEntries(local);
  if (localEntries === null) return null;
  for (const text of outside) {
    const entries = configEntries(text);
    if (entries === null || !entries.every(plainEverywhere)) return null;
  }
  if (!localEntries.every(plainEverywhere)) return null;
  return repositoryFormat(localEntries, local, outside);
}

function repositoryFormat(
  entries: ConfigEntry[],
  local: string,
  outside: string[],
): GitConfigs | null {
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
  return { local, outside, objectFormat: objectFormat ?? "sha1" };
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

/** `[name]` or `[name "subsection"]`, then nothing but a comment; `[ \t]` is git's whitespace. */
const SECTION = /^[ \t]*\[([A-Za-z0-9.-]+)(?:[ \t]+"((?:[^"\\]|\\.)*)")?\][ \t]*(?:[#;].*)?$/;
const ENTRY = /^[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*(?:(=)(.*))?$/;
const BLANK = /^[ \t]*(?:[#;].*)?$/;

/**
 * The entries of a config file, or null when a line is not plainly valid: git may reject it, or
 * read it differently (a value continued on the next line, a key after a section header).
 */
export function configEntries(text: string): ConfigEntry[] | null {
  const entries: ConfigEntry[] = [];
  let section: string | null = null;
  let subsection: string | null = null;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (const raw of body.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.includes("\r")) return null;
    if (BLANK.test(line)) continue;
    const header = SECTION.exec(line);
    if (header) {
      section = header[1].toLowerCase();
      subsection = header[2] === undefined ? null : header[2].replace(/\\(.)/g, "$1");
      continue;
    }
    const entry = ENTRY.exec(line);
    if (!entry || section === null) return null;
    let value: string | null = null;
    if (entry[2] !== undefined) {
      value = plainValue(entry[3]);
      if (value === null) return null;
    }
    entries.push({
      section,
      subsection,
      key: entry[1].toLowerCase(),
      value,
      raw: entry[3] ?? null,
    });
  }
  return entries;
}

/**
 * A value as git reads it (git's own steps: whitespace outside quotes trimmed at the ends and
 * each run inside turned into one space, the comment dropped, quotes and escapes resolved). Null
 * for a value that continues on the next line, an unknown escape or an open quote: git's to read.
 */
function plainValue(raw: string): string | null {
  let out = "";
  let quoted = false;
  let spaces = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if ((c === " " || c === "\t") && !quoted) {
      if (out.length > 0) spaces++;
      continue;
    }
    if (!quoted && (c === "#" || c === ";")) break;
    out += " ".repeat(spaces);
    spaces = 0;
    if (c === "\\") {
      const escaped = ESCAPES[raw[i + 1] ?? ""];
      if (escaped === undefined) return null;
      out += escaped;
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else {
      out += c;
    }
  }
  return quoted ? null : out;
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", b: "\b" };
