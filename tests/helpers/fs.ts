/** Temporary directories and real git repositories for tests. */
import { join } from "node:path";

export async function tempDir(prefix = "kittify-test-"): Promise<string> {
  return await Deno.makeTempDir({ prefix });
}

export async function removeTree(path: string): Promise<void> {
  await Deno.chmod(path, 0o755).catch(() => {});
  await new Deno.Command("chmod", { args: ["-R", "u+w", path] }).output().catch(() => {});
  await Deno.remove(path, { recursive: true }).catch(() => {});
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

export interface Sandbox {
  /** The repository (or plain directory) the CLI runs in. */
  repo: string;
  /** KITTIFY_HOME for this test. */
  home: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh git repository named `name` (with an optional origin remote and an initial commit)
 * plus a private KITTIFY_HOME.
 */
export async function sandbox(
  options: { name?: string; origin?: string; commit?: boolean; git?: boolean } = {},
): Promise<Sandbox> {
  const base = await tempDir();
  const repo = join(base, options.name ?? "demo-repo");
  const home = join(base, "home");
  await Deno.mkdir(repo, { recursive: true });
  if (options.git !== false) {
    await git(repo, "init", "-q", "-b", "main");
    if (options.origin) await git(repo, "remote", "add", "origin", options.origin);
    if (options.commit) {
      await Deno.writeTextFile(join(repo, "README.md"), "demo\n");
      await git(repo, "add", ".");
      await git(repo, "commit", "-q", "-m", "initial");
    }
  }
  return { repo, home, cleanup: () => removeTree(base) };
}

/**
 * Sends SIGKILL to a child that may have exited on its own meanwhile; true when the signal was
 * delivered to a running process (a test counting real kills counts only those).
 */
export function killIfRunning(child: Deno.ChildProcess): boolean {
  try {
    child.kill("SIGKILL");
    return true;
  } catch (err) {
    if (err instanceof TypeError && /already terminated/i.test(err.message)) return false;
    throw err;
  }
}
