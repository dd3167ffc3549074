/**
 * The cross-process lock of the credentials file: an advisory lock (flock) on
 * `<home>/credentials.lock`, the same file and kind of lock spec-kitty's `filelock` takes, so the
 * two tools never rotate tokens at the same time either.
 */
import { join } from "../common/path.ts";
import { UserError } from "../common/errors.ts";

export const LOCK_FILE = "credentials.lock";
/** How long to wait for another process (spec-kitty waits 10 s). */
export const LOCK_TIMEOUT_MS = 10_000;
const POLL_MS = 15;

export class CredentialsLockTimeout extends UserError {
  constructor(path: string) {
    super(`another process holds ${path}; try again in a moment`);
  }
}

/**
 * Runs `fn` holding the lock. Waits at most `timeoutMs`, and never past `signal` (then the
 * signal's reason is thrown).
 */
export async function withCredentialsLock<T>(
  home: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const path = join(home, LOCK_FILE);
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  try {
    const deadline = Date.now() + (options.timeoutMs ?? LOCK_TIMEOUT_MS);
    while (!(await file.tryLock(true))) {
      options.signal?.throwIfAborted();
      if (Date.now() >= deadline) throw new CredentialsLockTimeout(path);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return await fn();
  } finally {
    file.close(); // closing releases the lock
  }
}
