/**
 * The checkout a command runs in: its branch and, in a linked worktree, the worktree's directory
 * name. Read from the `.git` files directly (no git process: this is on every command's path).
 */
import { basename, isAbsolute, join, resolve } from "../common/path.ts";
import { findDotGit } from "../git/discover.ts";

export interface Checkout {
  /** Current branch, or null when detached or unknown. */
  branch: string | null;
  /** The linked worktree's directory name, or null in the main checkout. */
  worktree: string | null;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

function branchFromHead(head: string | null): string | null {
  const match = head === null ? null : /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head);
  return match ? match[1] : null;
}

export async function currentCheckout(cwd: string): Promise<Checkout> {
  const found = findDotGit(cwd, { strict: false });
  if (found?.info.isDirectory) {
    return { branch: branchFromHead(await readOrNull(join(found.dotGit, "HEAD"))), worktree: null };
  }
  if (found?.info.isFile) {
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec((await readOrNull(found.dotGit)) ?? "");
    if (!pointer) return { branch: null, worktree: null };
    const gitdir = isAbsolute(pointer[1]) ? pointer[1] : resolve(found.dir, pointer[1]);
    const head = await readOrNull(join(gitdir, "HEAD"));
    return { branch: branchFromHead(head), worktree: basename(found.dir) };
  }
  return { branch: null, worktree: null };
}
