/**
 * Finding the git directories of a working directory from the files alone, the way git does for
 * the ordinary layouts: the nearest `.git` directory, or a `.git` file (`gitdir: …`) of a linked
 * worktree or submodule, and its common directory. Anything git might treat differently gives
 * null, so that the caller asks git itself:
 * - variables that change how git finds or configures a repository (`GIT_DIR`, `GIT_CONFIG_*`, …);
 * - a repository owned by another user (git refuses those unless `safe.directory` allows them) or
 *   a system that reports no owners (Windows);
 * - a `.git` on another file system than the working directory (git stops at that boundary);
 * - no `.git` at all above the directory.
 */
import { dirname, isAbsolute, join, resolve } from "../common/path.ts";
import { statOrNull } from "../common/stat.ts";

/** What the files are read with; handed in, so tests can give their own. */
export interface GitHost {
  /** The variable's value, or undefined when it is not set. */
  env(name: string): string | undefined;
  /** The names of all environment variables. */
  envNames(): string[];
  /** This process's user id; null where the system has none (Windows). */
  uid(): number | null;
}

export const processGitHost: GitHost = {
  env: (name) => Deno.env.get(name),
  envNames: () => Object.keys(Deno.env.toObject()),
  uid: () => Deno.uid(),
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
const STEERING =
  /^GIT_(DIR|WORK_TREE|COMMON_DIR|CEILING_DIRECTORIES|DISCOVERY_ACROSS_FILESYSTEM|NAMESPACE|CONFIG.*)$/;

/** Whether `host`'s environment may steer git away from what the files say. */
export function steersGit(host: GitHost): boolean {
  return host.envNames().some((name) => STEERING.test(name));
}

/** The git directories around `cwd`, or null when git itself should be asked. */
export async function discoverGitDirs(cwd: string, host: GitHost): Promise<GitDirs | null> {
  try {
    return await discover(cwd, host);
  } catch {
    return null; // unreadable, a race with git, ...: git will say
  }
}

async function discover(cwd: string, host: GitHost): Promise<GitDirs | null> {
  if (steersGit(host)) return null;
  const uid = host.uid();
  // Running as root under sudo, git also accepts SUDO_UID's repositories: leave that to git.
  if (uid === null || (uid === 0 && host.env("SUDO_UID") !== undefined)) return null;
  const found = await findDotGit(cwd);
  if (found === null) return null;
  const { dir, dotGit, info } = found;
  if (info.dev !== found.startDev) return null;
  const gitDir = info.isDirectory ? dotGit : info.isFile ? await gitFileTarget(dotGit) : null;
  if (gitDir === null) return null;
  const owners = await Promise.all([dir, dotGit, gitDir].map(statOrNull));
  if (owners.some((owner) => owner === null || owner.uid !== uid)) return null;
  const commonDir = await commonDirOf(gitDir);
  return commonDir === null ? null : { worktree: dir, gitDir, commonDir };
}

/** The nearest `.git` at or above `cwd`. */
export interface DotGit {
  /** The directory holding it. */
  dir: string;
  dotGit: string;
  info: Deno.FileInfo;
  /** The device `cwd` is on. */
  startDev: number;
}

/** The nearest `.git` (directory or file) at or above `cwd`, or null. */
export async function findDotGit(cwd: string): Promise<DotGit | null> {
  const start = resolve(cwd);
  const startInfo = await statOrNull(start);
  if (startInfo === null) return null;
  for (let dir = start;;) {
    const dotGit = join(dir, ".git");
    const info = await statOrNull(dotGit);
    if (info !== null) return { dir, dotGit, info, startDev: startInfo.dev };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The directory a `.git` file points at, or null when it does not say plainly. */
async function gitFileTarget(file: string): Promise<string | null> {
  const text = await readIfExists(file);
  const match = text === null ? null : /^gitdir: (.+)\n?$/.exec(text);
  if (!match) return null;
  return isAbsolute(match[1]) ? match[1] : resolve(dirname(file), match[1]);
}

/** The common directory named by `gitDir/commondir`, or `gitDir` itself; null when unclear. */
async function commonDirOf(gitDir: string): Promise<string | null> {
  const text = await readIfExists(join(gitDir, "commondir"));
  if (text === null) return gitDir;
  const path = text.replace(/\n$/, "");
  if (path === "" || path.includes("\n")) return null;
  return isAbsolute(path) ? path : resolve(gitDir, path);
}

/** The file's text, or null when nothing is there; any other failure is thrown. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}
