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
