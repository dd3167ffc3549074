/**
 * Opening the server's store: an embedded Deno KV file (default `<KITTIFY_HOME>/server.kv`, or
 * `--data`), or a PostgreSQL database shared by several server processes (`--database-url`, or
 * DATABASE_URL). The PostgreSQL code is loaded only when it is used.
 */
import { exists } from "../../common/stat.ts";
import { dirname, join, resolve } from "../../common/path.ts";
import { UsageError, UserError } from "../../common/errors.ts";
import { ensureHome, kittifyHome } from "../../common/home.ts";
import { load } from "../../common/load.ts";
import { openKv } from "../../store/open.ts";
import { KvServerStore } from "./kv/kv_server_store.ts";
import {
  checkDatabaseUrl,
  checkDatabaseUrlFlag,
  redactDatabaseUrl,
} from "./postgres/database_url.ts";
import type { ServerStore } from "./server_store.ts";

export const SERVER_STORE_FILE = "server.kv";

export interface StoreOptions {
  data?: string;
  /** A PostgreSQL URL (`postgres://user@host:port/db`); the password comes from the environment. */
  databaseUrl?: string;
  /** Create the folder of `--data` (mode 0700) when it does not exist. */
  mkdir?: boolean;
}

/**
 * The store the flags choose: `--database-url` (no password in it), else `--data`, else
 * DATABASE_URL from the environment (`env`), else the default KV file.
 */
export function resolveStoreOptions(
  flags: StoreOptions,
  env: string | undefined = Deno.env.get("DATABASE_URL"),
): StoreOptions {
  if (flags.databaseUrl !== undefined) {
    if (flags.data !== undefined) {
      throw new UsageError("--data and --database-url are mutually exclusive");
    }
    return { ...flags, databaseUrl: checkDatabaseUrlFlag(flags.databaseUrl) };
  }
  if (flags.data === undefined && env) {
    checkDatabaseUrl(env, "DATABASE_URL");
    return { ...flags, databaseUrl: env };
  }
  return flags;
}

/** `create`: the store is made when missing (serve, user add); `existing`: it must be there. */
export type StoreUse = "create" | "existing";

/** Where the store is, for messages (a URL is shown without its query string). */
export function storeLocation(options: StoreOptions): string {
  if (options.databaseUrl !== undefined) return redactDatabaseUrl(options.databaseUrl);
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
): Promise<ServerStore> {
  const location = storeLocation(options);
  if (options.databaseUrl !== undefined) {
    const { openPostgresStore } = await load<
      typeof import("./postgres/postgres_server_store.ts")
    >(new URL("./postgres/postgres_server_store.ts", import.meta.url));
    return await openPostgresStore(options.databaseUrl, use);
  }
  await prepareFolder(location, options, use);
  try {
    return new KvServerStore(await openKv(location), location);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`cannot open the server store ${location}: ${reason}`, {
      cause: err,
      hint: "check that the --data path is writable",
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
