/** Runs git without ever throwing: a missing git, a timeout or a non-zero exit give `null`. */

export const GIT_TIMEOUT_MS = 5_000;

/** stdout of `git <args>` run in `cwd`, trimmed, or null if git failed for any reason. */
export async function gitOutput(args: string[], cwd: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(GIT_TIMEOUT_MS),
      env: { GIT_TERMINAL_PROMPT: "0" },
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return null;
  }
}
