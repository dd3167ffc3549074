/**
 * What kittify asks of git: read from the repository's files when they are plain enough to be
 * sure of git's answer (./head_files.ts, ./origin_files.ts), otherwise from git itself. Each git
 * process costs a short command ~10 ms, and every emitting command needed two.
 */
import { type GitConfigs, readGitConfigs } from "./config_files.ts";
import { discoverGitDirs, type GitDirs, type GitHost, processGitHost } from "./discover.ts";
import { readHeadFiles } from "./head_files.ts";
import { readOriginFiles } from "./origin_files.ts";
import { gitOutput } from "./run.ts";

/** Runs git in a directory: its output, or null when it failed. */
export type GitRunner = (args: string[], cwd: string) => Promise<string | null>;

/** `git rev-parse HEAD --abbrev-ref HEAD`: the SHA, then the branch (`HEAD` when detached). */
export const REV_PARSE_ARGS = ["rev-parse", "HEAD", "--abbrev-ref", "HEAD"];

/**
 * What git prints for {@link REV_PARSE_ARGS} in `dir` (null if git fails), from the files when
 * they can say.
 */
export async function revParseHead(
  dir: string,
  host: GitHost = processGitHost,
  run: GitRunner = gitOutput,
): Promise<string | null> {
  const plain = plainRepository(dir, host);
  const head = plain === null ? null : readHeadFiles(plain.dirs, plain.configs);
  if (head !== null) return `${head.sha}\n${head.branch}`;
  return await run(REV_PARSE_ARGS, dir);
}

/**
 * What `git remote get-url origin` prints in `dir` (null if git fails), from the files when they
 * can say.
 */
export async function originUrl(
  dir: string,
  host: GitHost = processGitHost,
  run: GitRunner = gitOutput,
): Promise<string | null> {
  const plain = plainRepository(dir, host);
  const url = plain === null ? undefined : readOriginFiles(plain.dirs, plain.configs);
  if (url !== undefined) return url;
  return await run(["remote", "get-url", "origin"], dir);
}

/** A repository's directories and configuration, when its files can be read alone. */
interface PlainRepository {
  dirs: GitDirs;
  configs: GitConfigs;
}

/** How long this process trusts what it found out about a repository (as git_metadata.ts). */
const PLAIN_REPOSITORY_TTL_MS = 2_000;
const recent = new Map<string, { at: number; value: PlainRepository | null }>();

/**
 * The repository around `dir` and its configuration, when its files can be read alone; looked
 * up once per directory for both facts (kept only for this process's own host: a test's host
 * changes the files between lookups).
 */
function plainRepository(dir: string, host: GitHost): PlainRepository | null {
  if (host !== processGitHost) return lookUp(dir, host);
  const now = performance.now();
  const hit = recent.get(dir);
  if (hit && now - hit.at < PLAIN_REPOSITORY_TTL_MS) return hit.value;
  const value = lookUp(dir, host);
  recent.set(dir, { at: now, value });
  return value;
}

function lookUp(dir: string, host: GitHost): PlainRepository | null {
  const dirs = discoverGitDirs(dir, host);
  let configs: GitConfigs | null = null;
  try {
    configs = dirs === null ? null : readGitConfigs(dirs.commonDir, host);
  } catch {
    // unreadable: git will say
  }
  return dirs === null || configs === null ? null : { dirs, configs };
}
