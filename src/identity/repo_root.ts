/**
 * Finds the repository root by walking up from a directory: a `.git` directory, a `.git` file of
 * a worktree (then the main checkout), or a `.kittify` directory (DESIGN.md §3).
 */
import { dirname, isAbsolute, join, resolve } from "../common/path.ts";

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch {
    return null;
  }
}

/** For a worktree's `.git` file, the main checkout that owns it (or null if unknown). */
async function mainCheckoutOf(gitFile: string): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(gitFile);
  } catch {
    return null;
  }
  const match = /^gitdir:\s*(.+)$/m.exec(text);
  if (!match) return null;
  const raw = match[1].trim();
  const gitdir = isAbsolute(raw) ? raw : resolve(dirname(gitFile), raw);
  // <main>/.git/worktrees/<name> → <main>
  const worktrees = dirname(gitdir);
  if (!/[/\\]worktrees$/.test(worktrees)) return null;
  const dotGit = dirname(worktrees);
  const info = await statOrNull(dotGit);
  return info?.isDirectory ? dirname(dotGit) : null;
}

export async function findRepoRoot(start: string): Promise<string | null> {
  let dir = resolve(start);
  while (true) {
    const git = await statOrNull(join(dir, ".git"));
    if (git?.isDirectory) return dir;
    if (git?.isFile) return (await mainCheckoutOf(join(dir, ".git"))) ?? dir;
    const kittify = await statOrNull(join(dir, ".kittify"));
    if (kittify?.isDirectory) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function configPathOf(repoRoot: string): string {
  return join(repoRoot, ".kittify", "config.yaml");
}
