/** Crash-safe file replacement: temp file in the same directory, fsync, rename. */
import { basename, dirname, join } from "./path.ts";

function tempPathFor(path: string): string {
  const suffix = crypto.randomUUID().slice(0, 8);
  return join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
}

/** Writes `text` to a fresh temp file next to `path` (fsynced) and returns the temp path. */
export async function writeTemp(path: string, text: string, mode?: number): Promise<string> {
  const temp = tempPathFor(path);
  const file = await Deno.open(temp, { write: true, createNew: true, mode });
  try {
    await file.write(new TextEncoder().encode(text));
    await file.sync();
  } catch (err) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
  file.close();
  return temp;
}

/** Atomically replaces `path` with `text`. Readers see the old or the new file, never a mix. */
export async function atomicWrite(path: string, text: string, mode?: number): Promise<void> {
  const temp = await writeTemp(path, text, mode);
  try {
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}

/**
 * Atomically creates `path` with `text` only if it does not exist yet (hard link of a complete
 * temp file, so nobody ever sees a half-written file). Returns false if `path` already exists.
 */
export async function atomicCreate(path: string, text: string, mode?: number): Promise<boolean> {
  const temp = await writeTemp(path, text, mode);
  try {
    await Deno.link(temp, path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    throw err;
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}
