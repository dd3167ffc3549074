/**
 * First-write-wins updates of a small file shared by concurrent processes.
 *
 * A missing file is created with an atomic hard link of a complete temp file (only one creator
 * can win). An existing file is updated under an exclusive lock on the file itself; after taking
 * the lock we check that the path still names the locked inode (a concurrent writer may have
 * renamed a new file over it) and re-read the content, so every process decides from what is on
 * disk and a field written first is never overwritten.
 */
import { statOrNull } from "../common/stat.ts";
import { dirname } from "../common/path.ts";
import { atomicCreate, atomicWrite } from "../common/atomic_write.ts";

/** The file or its directory is marked read-only (all write bits cleared). */
export class ReadOnlyFileError extends Error {}

/** Decides the new content from the current one (null: file missing). null means "no change". */
export type Update = (current: string | null) => string | null | Promise<string | null>;

const MAX_ROUNDS = 100;

/** Even root honours a file or directory whose write bits are all cleared. */
async function assertNotMarkedReadOnly(path: string): Promise<void> {
  const info = await statOrNull(path);
  if (info && info.mode !== null && (info.mode & 0o222) === 0) {
    throw new ReadOnlyFileError(`${path} is read-only`);
  }
}

/**
 * Applies `update` first-write-wins and returns the content on disk afterwards. `beforeWrite`
 * runs under the lock once the new content of an existing file is known, before the file is
 * replaced (a write-ahead step); if it throws, the file is left as it was. `underLock` runs
 * under the lock of an existing file after `update` decided, whether or not it was replaced.
 */
export async function lockedUpdate(
  path: string,
  update: Update,
  beforeWrite?: (next: string, current: string) => Promise<void>,
  underLock?: () => Promise<void>,
): Promise<string | null> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      const text = await update(null);
      if (text === null) return null;
      const dir = dirname(path);
      if (!(await statOrNull(dir))) await assertNotMarkedReadOnly(dirname(dir));
      await Deno.mkdir(dir, { recursive: true });
      await assertNotMarkedReadOnly(dir);
      if (await atomicCreate(path, text)) return text;
      continue; // someone else created it first: update theirs under the lock
    }
    try {
      await file.lock(true);
      const onDisk = await statOrNull(path);
      const locked = await file.stat();
      if (!onDisk || (onDisk.ino !== null && onDisk.ino !== locked.ino)) continue;
      // Under the lock the path names the locked file (checked above; writers take the lock).
      const bytes = await Deno.readFile(path);
      const current = new TextDecoder().decode(bytes); // drops a UTF-8 byte order mark
      const next = await update(current);
      if (next === null || next === current) {
        await underLock?.();
        return current;
      }
      await assertNotMarkedReadOnly(dirname(path));
      await assertNotMarkedReadOnly(path);
      await beforeWrite?.(next, current);
      const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      await atomicWrite(
        path,
        bom ? `\ufeff${next}` : next, // ...which the file keeps
        locked.mode !== null ? locked.mode & 0o777 : undefined,
      );
      await underLock?.();
      return next;
    } finally {
      file.close(); // closing releases the lock
    }
  }
  throw new Error(`could not update ${path}: too much contention`);
}
