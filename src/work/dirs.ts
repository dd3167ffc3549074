/** Directories the work commands create, and the lock that serialises numbering in them. */

/**
 * Creates `dir` (and its parents) unless it exists already. An existing directory needs no write
 * access, so this works where only the new sub-folders may be written.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    if ((await Deno.stat(dir)).isDirectory) return;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(dir, { recursive: true });
}

/**
 * Serialises commands that pick the next number in a directory (next feature, next WP): an
 * exclusive advisory lock on the directory itself, so no lock file is left in the repository.
 * Where directories cannot be locked (Windows), the body runs unlocked.
 */
export async function withDirLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  let handle: Deno.FsFile | null = null;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.lock(true);
  } catch {
    handle?.close();
    handle = null;
  }
  try {
    return await body();
  } finally {
    handle?.close();
  }
}
