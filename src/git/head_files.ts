/**
 * The branch and HEAD commit of a checkout read from its files, as `git rev-parse HEAD
 * --abbrev-ref HEAD` prints them, for the ordinary cases: HEAD names a branch whose commit is in
 * a loose ref or in packed-refs, or HEAD holds a commit (detached, branch `HEAD`). Anything else
 * gives null, so that the caller asks git: an unborn branch, a symbolic ref that points on, the
 * reftable format, a name git would have to shorten differently because another ref of the same
 * short name exists (git prints `heads/<name>` then), or a name out of the ordinary.
 */
import { join } from "../common/path.ts";
import { type GitDirs, readIfExists } from "./discover.ts";

export interface HeadFiles {
  /** The branch (`HEAD` when detached). */
  branch: string;
  /** The commit (40 hex digits, 64 in SHA-256 repositories). */
  sha: string;
}

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Branch names read here; others (rare) are left to git. */
const PLAIN_BRANCH =
  /^[A-Za-z0-9_+=@,-]+(?:\.[A-Za-z0-9_+=@,-]+)*(?:\/[A-Za-z0-9_+=@,-]+(?:\.[A-Za-z0-9_+=@,-]+)*)*$/;

/** Branch and HEAD of the checkout with directories `dirs`, or null when git should say. */
export async function readHeadFiles(dirs: GitDirs): Promise<HeadFiles | null> {
  try {
    return await readHead(dirs);
  } catch {
    return null;
  }
}

async function readHead({ gitDir, commonDir }: GitDirs): Promise<HeadFiles | null> {
  const head = await regularFileText(join(gitDir, "HEAD"));
  if (head === null) return null;
  const line = head.endsWith("\n") ? head.slice(0, -1) : head;
  if (OBJECT_ID.test(line)) return { branch: "HEAD", sha: line };
  const match = /^ref: refs\/heads\/(.+)$/.exec(line);
  if (!match || !PLAIN_BRANCH.test(match[1]) || match[1].endsWith(".lock")) return null;
  const branch = match[1];
  const [loose, packed, ambiguous] = await Promise.all([
    readIfExists(join(commonDir, "refs", "heads", branch)),
    readIfExists(join(commonDir, "packed-refs")),
    anyExists(shortNameRivals(branch, gitDir, commonDir)),
  ]);
  if (ambiguous) return null;
  const packedLines = packed === null ? null : "\n" + packed + (packed.endsWith("\n") ? "" : "\n");
  if (packedLines !== null) {
    for (const rival of SHORT_NAME_RULES) {
      if (packedLines.includes(` ${rival(branch)}\n`)) return null;
    }
  }
  const sha = loose !== null
    ? loose.replace(/\n$/, "")
    : packedLines === null
    ? null
    : packedSha(packedLines, `refs/heads/${branch}`);
  return sha !== null && OBJECT_ID.test(sha) ? { branch, sha } : null;
}

/**
 * The other full names the short name of a branch could stand for (git's rules, but
 * `refs/heads/%s`): if one exists, `--abbrev-ref` does not print the plain branch name.
 */
const SHORT_NAME_RULES: ((name: string) => string)[] = [
  (name) => `refs/${name}`,
  (name) => `refs/tags/${name}`,
  (name) => `refs/remotes/${name}`,
  (name) => `refs/remotes/${name}/HEAD`,
];

function shortNameRivals(branch: string, gitDir: string, commonDir: string): string[] {
  return [
    join(gitDir, branch),
    join(commonDir, branch),
    join(gitDir, "refs", branch),
    ...SHORT_NAME_RULES.map((rule) => join(commonDir, ...rule(branch).split("/"))),
  ];
}

/** The commit of `ref` in packed-refs text (lines `<sha> <ref>`), or null. */
function packedSha(lines: string, ref: string): string | null {
  const end = lines.indexOf(` ${ref}\n`);
  if (end === -1) return null;
  const start = lines.lastIndexOf("\n", end) + 1;
  return lines.slice(start, end);
}

/** Whether anything (file, directory, link) is at any of `paths`. */
async function anyExists(paths: string[]): Promise<boolean> {
  const found = await Promise.all(paths.map(async (path) => {
    try {
      await Deno.lstat(path);
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  }));
  return found.includes(true);
}

/** The text of a regular file (not a link), or null. */
async function regularFileText(path: string): Promise<string | null> {
  const [info, text] = await Promise.all([Deno.lstat(path), readIfExists(path)]);
  return info.isFile ? text : null;
}
