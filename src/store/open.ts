/**
 * Opening Deno KV. Always with an explicit path: `Deno.openKv()` without one is in-memory inside
 * compiled binaries. `:memory:` is accepted for tests.
 */
import { join } from "node:path";
import { ensureHome, kittifyHome } from "../common/home.ts";
import { onShutdown } from "../common/lifecycle.ts";
import { retryLocked } from "./retry.ts";

export const USER_STORE_FILE = "kittify.kv";

export function openKv(path: string): Promise<Deno.Kv> {
  return retryLocked(() => Deno.openKv(path));
}

let userStore: Promise<Deno.Kv> | undefined;

/** Opens the user store once per process in the home returned by `home`. */
function openUserStore(home: () => Promise<string>): Promise<Deno.Kv> {
  userStore ??= (async () => {
    const kv = await openKv(join(await home(), USER_STORE_FILE));
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
    throw err;
  }
  return await openUserStore(() => Promise.resolve(kittifyHome()));
}
