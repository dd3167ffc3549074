/** File-system questions whose "no" is an answer, not an error. */

/** The file's info, or null when nothing is at `path`; any other failure is thrown. */
export async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Whether something is at `path` (following symlinks). */
export async function exists(path: string): Promise<boolean> {
  return (await statOrNull(path)) !== null;
}

/**
 * What `look` finds at a path, or null when nothing is there; any other failure is thrown. For
 * a few small synchronous reads (git's files): cheaper than a turn of a busy event loop each.
 */
function unlessMissing<T>(look: () => T): T | null {
  try {
    return look();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** The file's text, read synchronously, or null when nothing is at `path`. */
export function readTextSyncOrNull(path: string): string | null {
  return unlessMissing(() => Deno.readTextFileSync(path));
}

/** The entry's info (a link followed), read synchronously, or null when nothing is at `path`. */
export function statSyncOrNull(path: string): Deno.FileInfo | null {
  return unlessMissing(() => Deno.statSync(path));
}

/** The entry's own info (a link not followed), read synchronously, or null when nothing's there. */
export function lstatSyncOrNull(path: string): Deno.FileInfo | null {
  return unlessMissing(() => Deno.lstatSync(path));
}
