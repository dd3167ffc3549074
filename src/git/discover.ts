/**
 * Finding the git directories of a working directory from the files alone, the way git does for
 * the ordinary layouts: the nearest `.git` directory, or a `.git` file (`gitdir: …`) of a linked
 * worktree or submodule, and its common directory. Anything git might treat differently gives
 * null, so that the caller asks git itself:
 * - variables that change how git finds or configures a repository (`GIT_DIR`, `GIT_CONFIG_*`);
 * - a repository owned by another user (git refuses those unless `safe.directory` allows them) or
 *   a system that reports no owners (Windows);
 * - another file system on the way up (git stops at that boundary);
 * - a directory on the way that could be a git directory itself (it holds a `HEAD`: a bare
 *   repository, the inside of a `.git`): git would take that one;
 * - a `.git` that does not look like a repository (no HEAD, objects or refs): git walks past it;
 * - no `.git` at all above the directory.
 */
import { dirname, isAbsolute, join, resolve } from "../common/path.ts";
import { SYSTEM_CONFIG_FILES } from "./config_files.ts";
import { lstatSyncOrNull, readTextSyncOrNull, statSyncOrNull } from "../common/stat.ts";

/**
 * What the readers learn from the process rather than from the repository; handed in, so that
 * tests can isolate themselves from the machine they run on.
 */
export interface GitHost {
  /** The variable's value, or undefined when it is not set. */
  env(name: string): string | undefined;
  /** The names of all environment variables. */
  envNames(): string[];
  /** This process's user id; null where the system has none (Windows). */
  uid(): number | null;
  /** Where git's system config file may be. */
  systemConfigFiles(): readonly string[];
}

export const processGitHost: GitHost = {
  env: (name) => Deno.env.get(name),
  envNames: () => Object.keys(Deno.env.toObject()),
  uid: () => Deno.uid(),
  systemConfigFiles: () => SYSTEM_CONFIG_FILES,
};

/** The directories of one checkout. */
export interface GitDirs {
  /** The top of the working tree. */
  worktree: string;
  /** Its own git directory: HEAD lives here. */
  gitDir: string;
  /** The repository's shared directory: refs, packed-refs, config (= gitDir but in worktrees). */
  commonDir: string;
}

/** Variables with which git may find, or read, another repository or configuration. */
const STEERING = new RegExp(
  "^GIT_(DIR|WORK_TREE|COMMON_DIR|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM|NAMESPACE|" +
    "OBJECT_DIRECTORY|CONFIG.*)$",
);

/** Whether `host`'s environment may steer git away from what the files say. */
function steersGit(host: GitHost): boolean {
  return host.envNames().some((name) => STEERING.test(name));
}

/**
 * The git directories around `cwd`, or null when git itself should be asked. The files are read
 * synchronously: a dozen small reads cost less than waiting a turn of a busy event loop for each.
 */
export function discoverGitDirs(cwd: string, host: GitHost): GitDirs | null {
  try {
    return discover(cwd, host);
  } catch {
    return null; // unreadable, a race with git, ...: git will say
  }
}

function discover(cwd: string, host: GitHost): GitDirs | null {
  if (steersGit(host)) return null;
  const uid = host.uid();
  // Running as root under sudo, git also accepts SUDO_UID's repositories: leave that to git.
  if (uid === null || (uid === 0 && host.env("SUDO_UID") !== undefined)) return null;
  const found = findDotGit(Deno.realPathSync(cwd), { strict: true });
  if (found === null) return null;
  const { dir, dotGit, info } = found;
  const gitDir = info.isDirectory ? dotGit : gitFileTarget(dotGit);
  if (gitDir === null) return null;
  const commonDir = commonDirOf(gitDir);
  if (commonDir === null || !looksLikeRepository(gitDir, commonDir)) return null;
  const owners = [dir, dotGit, gitDir].map(statSyncOrNull);
  if (owners.some((owner) => owner === null || owner.uid !== uid)) return null;
  return { worktree: dir, gitDir, commonDir };
}

/** What git checks before it takes a directory for a repository: HEAD, objects and refs. */
function looksLikeRepository(gitDir: string, commonDir: string): boolean {
  return lstatSyncOrNull(join(gitDir, "HEAD"))?.isFile === true &&
    statSyncOrNull(join(commonDir, "objects"))?.isDirectory === true &&
    statSyncOrNull(join(commonDir, "refs"))?.isDirectory === true;
}

/** The nearest `.git` at or above a directory. */
export interface DotGit {
  /** The directory holding it. */
  dir: string;
  dotGit: string;
  /** A directory or a file. */
  info: Deno.FileInfo;
}

/**
 * The nearest `.git` (directory or file) at or above `cwd`, or null. Strict: null as soon as the
 * walk reaches another file system, a directory holding a `HEAD` (possibly a repository itself)
 * or anything it cannot read; otherwise those are walked past.
 */
export function findDotGit(cwd: string, { strict }: { strict: boolean }): DotGit | null {
  let startDev: number | undefined;
  for (let dir = resolve(cwd);;) {
    const here = strict ? Deno.statSync(dir) : null;
    let info: Deno.FileInfo | null;
    try {
      info = statSyncOrNull(join(dir, ".git"));
    } catch (err) {
      if (strict) throw err;
      info = null;
    }
    if (here !== null) {
      startDev ??= here.dev;
      if (here.dev !== startDev) return null;
    }
    if (info?.isDirectory || info?.isFile) return { dir, dotGit: join(dir, ".git"), info };
    if (strict && (info !== null || lstatSyncOrNull(join(dir, "HEAD")) !== null)) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The directory a `.git` file points at, or null when it does not say plainly. */
function gitFileTarget(file: string): string | null {
  const text = readTextSyncOrNull(file);
  const match = text === null ? null : /^gitdir: (.+)\n?$/.exec(text);
  if (!match) return null;
  return isAbsolute(match[1]) ? match[1] : resolve(dirname(file), match[1]);
}

/** The common directory named by `gitDir/commondir`, or `gitDir` itself; null when unclear. */
function commonDirOf(gitDir: string): string | null {
  const text = readTextSyncOrNull(join(gitDir, "commondir"));
  if (text === null) return gitDir;
  const path = text.replace(/\n$/, "");
  if (path === "" || path.includes("\n")) return null;
  return isAbsolute(path) ? path : resolve(gitDir, path);
}
