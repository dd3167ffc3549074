/**
 * The server's store: an embedded Deno KV file (default `<KITTIFY_HOME>/server.kv`) or a remote
 * Deno KV database for a shared deployment (`--kv-url`; Deno reads the access token from
 * DENO_KV_ACCESS_TOKEN itself).
 */
import { exists } from "../common/stat.ts";
import { dirname, join, resolve } from "node:path";
import { UsageError, UserError } from "../common/errors.ts";
import { ensureHome, kittifyHome } from "../common/home.ts";
import { openKv } from "../store/open.ts";

export const SERVER_STORE_FILE = "server.kv";

export interface StoreOptions {
  data?: string;
  kvUrl?: string;
  /** Create the folder of `--data` (mode 0700) when it does not exist. */
  mkdir?: boolean;
}

/** `create`: the store is made when missing (serve, user add); `existing`: it must be there. */
export type StoreUse = "create" | "existing";

/** Where the store is, for messages (a URL is shown without its query string). */
export function storeLocation(options: StoreOptions): string {
  if (options.data !== undefined && options.kvUrl !== undefined) {
    throw new UsageError("--data and --kv-url are mutually exclusive");
  }
  if (options.kvUrl !== undefined) {
    if (!/^https?:\/\//.test(options.kvUrl)) {
      throw new UsageError(`--kv-url must be an http(s) URL, got '${options.kvUrl}'`);
    }
    return options.kvUrl;
  }
  if (options.data !== undefined) return resolve(options.data);
  return join(kittifyHome(), SERVER_STORE_FILE);
}

/**
 * Opens the store. A store file is private (0600, see private_file.ts); the default one lives in
 * the kittify home (created 0700), a `--data` file's folder must exist unless `--mkdir` asks for
 * it, and with `use: "existing"` a missing file is an error instead of an empty new store.
 */
export async function openServerStore(
  options: StoreOptions,
  use: StoreUse = "create",
): Promise<Deno.Kv> {
  const location = storeLocation(options);
  if (options.kvUrl === undefined) await prepareFolder(location, options, use);
  try {
    return await openKv(location);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`cannot open the server store ${redact(location)}: ${reason}`, {
      cause: err,
      hint: options.kvUrl === undefined
        ? "check that the --data path is writable"
        : "check the URL and DENO_KV_ACCESS_TOKEN",
    });
  }
}

async function prepareFolder(location: string, options: StoreOptions, use: StoreUse) {
  if (use === "existing") {
    if (!(await exists(location))) {
      throw new UserError(`no server store at ${location}`, {
        hint: "`kittify serve` or `kittify serve user add` with the same --data creates it",
      });
    }
    return;
  }
  if (options.data === undefined) {
    await ensureHome();
    return;
  }
  const folder = dirname(location);
  if (await exists(folder)) return;
  if (!options.mkdir) {
    throw new UserError(`the folder ${folder} does not exist`, {
      hint: "create it (mode 0700), or add --mkdir to let kittify create it",
    });
  }
  await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
}

function redact(location: string): string {
  return location.replace(/\?.*$/, "");
}
