/**
 * Opening Deno KV. Always with an explicit path: `Deno.openKv()` without one is in-memory inside
 * compiled binaries. `:memory:` is accepted for tests.
 */
import { join } from "../common/path.ts";
import { UserError } from "../common/errors.ts";
import { ensureHome, kittifyHome } from "../common/home.ts";
import { onShutdown } from "../common/lifecycle.ts";
import { isLocalStorePath, preparePrivateStoreFile } from "./private_file.ts";
import { retryLocked } from "./retry.ts";

export const USER_STORE_FILE = "kittify.kv";

/** Opens a KV store; a store file on this machine is made private first (private_file.ts). */
export async function openKv(path: string): Promise<Deno.Kv> {
  if (isLocalStorePath(path)) await preparePrivateStoreFile(path);
  return await retryLocked(() => Deno.openKv(path));
}

let userStore: Promise<Deno.Kv> | undefined;

/** Opens the user store once per process in the home returned by `home`. */
function openUserStore(home: () => Promise<string>): Promise<Deno.Kv> {
  userStore ??= (async () => {
    let kv: Deno.Kv;
    try {
      kv = await openKv(join(await home(), USER_STORE_FILE));
    } catch (err) {
      throw storeError(err);
    }
    onShutdown(() => {
      userStore = undefined;
      kv.close();
    });
    return kv;
  })();
  userStore.catch(() => {
    userStore = undefined;
  });
  return userStore;
}

/**
 * A store that cannot be opened (home not a directory, not writable, file not a database) is
 * the user's environment, not a bug: say which file, why, and what to do.
 */
function storeError(err: unknown): UserError {
  const reason = err instanceof Error ? err.message : String(err);
  return new UserError(`cannot open the kittify store ${userKvPath()}: ${reason}`, {
    cause: err,
    hint: "check that KITTIFY_HOME (default ~/.spec-kitty) is a writable directory and that " +
      `${USER_STORE_FILE} in it is a Deno KV file (move a damaged one aside)`,
  });
}

/**
 * The per-user store `<KITTIFY_HOME>/kittify.kv`, opened once per process on first use and
 * closed by the CLI's shutdown hooks. Rejects if the home or the file cannot be opened.
 */
export function userKv(): Promise<Deno.Kv> {
  return openUserStore(ensureHome);
}

/** The path of the user store (nothing is created). */
export function userKvPath(): string {
  return join(kittifyHome(), USER_STORE_FILE);
}

/**
 * The user store if its file already exists, else null: for read-only commands, which must not
 * create (or re-permission) the home directory or the store.
 */
export async function existingUserKv(): Promise<Deno.Kv | null> {
  try {
    await Deno.stat(userKvPath());
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw storeError(err);
  }
  return await openUserStore(() => Promise.resolve(kittifyHome()));
}
