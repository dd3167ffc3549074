/**
 * The branch and HEAD commit of a checkout read from its files, as `git rev-parse HEAD
 * --abbrev-ref HEAD` prints them, for the ordinary cases: HEAD names a branch whose commit is in
 * a loose ref or in packed-refs, or HEAD holds a commit (detached, branch `HEAD`). Anything else
 * gives null, so that the caller asks git: an unborn branch, a symbolic ref that points on, the
 * reftable format, a ref file git would not read as it stands, or a name git would print
 * otherwise because another ref has the same short name (git prints `heads/<name>` then, or no
 * branch at all when `HEAD` itself is ambiguous).
 */
import { join } from "../common/path.ts";
import type { GitConfigs } from "./config_files.ts";
import type { GitDirs } from "./discover.ts";
import { lstatSyncOrNull, readTextSyncOrNull } from "../common/stat.ts";

export interface HeadFiles {
  /** The branch (`HEAD` when detached). */
  branch: string;
  /** The commit (40 hex digits, 64 in SHA-256 repositories). */
  sha: string;
}

const OBJECT_ID = { sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ };

/** Branch names read here; others (rare) are left to git. */
const PLAIN_BRANCH =
  /^[A-Za-z0-9_+=@,-]+(?:\.[A-Za-z0-9_+=@,-]+)*(?:\/[A-Za-z0-9_+=@,-]+(?:\.[A-Za-z0-9_+=@,-]+)*)*$/;

/** Branch and HEAD of the checkout with directories `dirs`, or null when git should say. */
export function readHeadFiles(dirs: GitDirs, configs: GitConfigs): HeadFiles | null {
  try {
    return readHead(dirs, OBJECT_ID[configs.objectFormat]);
  } catch {
    return null;
  }
}

function readHead({ gitDir, commonDir }: GitDirs, objectId: RegExp): HeadFiles | null {
  const head = regularFileText(join(gitDir, "HEAD"));
  if (head === null) return null;
  const line = head.endsWith("\n") ? head.slice(0, -1) : head;
  const match = /^ref: refs\/heads\/(.+)$/.exec(line);
  const branch = objectId.test(line) ? "HEAD" : match?.[1];
  if (branch === undefined || !isPlainBranch(branch)) return null;
  // Git's order: the loose ref, then packed-refs (which `pack-refs` replaces before it deletes
  // the loose file, so a commit is never missed).
  const loose = branch === "HEAD" ? line : regularFileText(ref(commonDir, `refs/heads/${branch}`));
  const packed = readTextSyncOrNull(join(commonDir, "packed-refs"));
  const rivals = rivalPaths(branch, gitDir, commonDir);
  if (rivals.some((path) => lstatSyncOrNull(path) !== null)) return null;
  let sha = loose === null ? null : loose.replace(/\n$/, "");
  if (packed !== null) {
    const lines = packedLines(packed);
    if (lines === null) return null;
    if (rivalNames(branch).some((name) => lines.includes(` ${name}\n`))) return null;
    sha ??= packedSha(lines, `refs/heads/${branch}`);
  }
  return sha !== null && objectId.test(sha) ? { branch, sha } : null;
}

function isPlainBranch(branch: string): boolean {
  return branch === "HEAD" ||
    (PLAIN_BRANCH.test(branch) && !branch.endsWith(".lock") &&
      !/^(?:main-worktree|worktrees)\//.test(branch));
}

/**
 * The other full names a short name could stand for (git's rules): if one exists, git does not
 * print the short name as it is. `HEAD` itself is looked up the same way first: a ref named
 * `HEAD` anywhere makes git print no branch at all.
 */
function rivalNames(branch: string): string[] {
  const rules = (name: string) => [
    `refs/${name}`,
    `refs/tags/${name}`,
    `refs/remotes/${name}`,
    `refs/remotes/${name}/HEAD`,
  ];
  const head = [...rules("HEAD"), "refs/heads/HEAD"];
  return branch === "HEAD" ? head : [...head, branch, ...rules(branch)];
}

function rivalPaths(branch: string, gitDir: string, commonDir: string): string[] {
  const dirs = gitDir === commonDir ? [commonDir] : [gitDir, commonDir];
  return rivalNames(branch).flatMap((name) => dirs.map((dir) => ref(dir, name)));
}

function ref(dir: string, name: string): string {
  return join(dir, ...name.split("/"));
}

/**
 * packed-refs as `\n`-led lines ending in `\n`, or null when git would not read it as it stands:
 * no final newline, a line that is not `<id> <ref>` (or `^<id>` after a tag), a ref twice, lines
 * out of order under a header that says they are sorted.
 */
function packedLines(text: string): string | null {
  if (text !== "" && !text.endsWith("\n")) return null;
  const sorted = /^# pack-refs with:.* sorted/.test(text);
  const seen = new Set<string>();
  let previous = "";
  for (const line of text.split("\n")) {
    if (line === "" || (line.startsWith("#") && seen.size === 0)) continue;
    if (/^\^[0-9a-f]{40,64}$/.test(line)) continue;
    const match = /^[0-9a-f]{40,64} (refs\/\S+)$/.exec(line);
    if (!match || seen.has(match[1]) || (sorted && match[1] <= previous)) return null;
    seen.add(match[1]);
    previous = match[1];
  }
  return "\n" + text;
}

/** The commit of `name` in packed-refs lines (`<sha> <ref>`), or null. */
function packedSha(lines: string, name: string): string | null {
  const end = lines.indexOf(` ${name}\n`);
  if (end === -1) return null;
  return lines.slice(lines.lastIndexOf("\n", end) + 1, end);
}

/** The text of a regular file (not a link), or null when nothing is there; else throws. */
function regularFileText(path: string): string | null {
  const info = lstatSyncOrNull(path);
  if (info === null) return null;
  if (!info.isFile) throw new Error(`${path} is not a plain file`);
  return Deno.readTextFileSync(path);
}
