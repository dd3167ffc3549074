/**
 * Store files hold secrets (the server's signing key and password hashes; the user's events):
 * they are readable by their owner only. A missing store file is created empty with mode 0600
 * before Deno KV opens it, so SQLite (which gives its -wal and -shm files the database file's
 * mode) never creates anything more open; an existing file, or one of its sidecars, that others
 * may read is tightened to 0600 when it is ours. Windows has no such modes: nothing to do there.
 */

const SIDECARS = ["-wal", "-shm", "-journal"];

/** Whether `location` names a file on this machine (not `:memory:`, not a remote KV URL). */
export function isLocalStorePath(location: string): boolean {
  return location !== ":memory:" && !/^https?:\/\//.test(location);
}

export async function preparePrivateStoreFile(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const file = await Deno.open(path, { createNew: true, write: true, mode: 0o600 });
    file.close();
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  for (const candidate of [path, ...SIDECARS.map((suffix) => path + suffix)]) {
    await tighten(candidate);
  }
}

async function tighten(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  if (!info.isFile || info.mode === null || (info.mode & 0o077) === 0) return;
  // Another user's file is not ours to change (and chmod would fail): SQLite reports it.
  if (info.uid !== Deno.uid()) return;
  await Deno.chmod(path, info.mode & 0o700);
}
