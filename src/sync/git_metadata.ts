/**
 * Per-event git metadata (branch, HEAD sha) of a repository: read from its files, or one `git
 * rev-parse` process for both values (../git/facts.ts), cached for {@link GIT_METADATA_TTL_MS};
 * concurrent callers share one lookup. Git missing or failing gives nulls, never an error.
 */
import { revParseHead } from "../git/facts.ts";

export const GIT_METADATA_TTL_MS = 2_000;

export interface GitMetadata {
  git_branch: string | null;
  head_commit_sha: string | null;
}

const NONE: GitMetadata = { git_branch: null, head_commit_sha: null };

/** Parses the two lines printed by `git rev-parse HEAD --abbrev-ref HEAD`. */
export function parseRevParse(output: string | null): GitMetadata {
  if (output === null) return NONE;
  const [sha, branch] = output.split("\n").map((line) => line.trim());
  return {
    git_branch: branch ? branch : null,
    head_commit_sha: sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null,
  };
}

const cache = new Map<string, { at: number; value: Promise<GitMetadata> }>();

/** Branch and HEAD of the checkout (main or linked worktree) around `dir` (cached briefly). */
export function gitMetadata(dir: string): Promise<GitMetadata> {
  const now = performance.now();
  const hit = cache.get(dir);
  if (hit && now - hit.at < GIT_METADATA_TTL_MS) return hit.value;
  const value = revParseHead(dir).then(parseRevParse, () => NONE);
  cache.set(dir, { at: now, value });
  return value;
}
