/**
 * The server's store: an embedded Deno KV file (default `<KITTIFY_HOME>/server.kv`) or a remote
 * Deno KV database for a shared deployment (`--kv-url`; Deno reads the access token from
 * DENO_KV_ACCESS_TOKEN itself).
 */
import { dirname, join, resolve } from "node:path";
import { UsageError, UserError } from "../common/errors.ts";
import { ensureHome } from "../common/home.ts";
import { openKv } from "../store/open.ts";

export const SERVER_STORE_FILE = "server.kv";

export interface StoreOptions {
  data?: string;
  kvUrl?: string;
}

/** Where the store is, for messages (a URL is shown without its query string). */
export async function storeLocation(options: StoreOptions): Promise<string> {
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
  return join(await ensureHome(), SERVER_STORE_FILE);
}

export async function openServerStore(options: StoreOptions): Promise<Deno.Kv> {
  const location = await storeLocation(options);
  try {
    if (options.kvUrl === undefined) await Deno.mkdir(dirname(location), { recursive: true });
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

function redact(location: string): string {
  return location.replace(/\?.*$/, "");
}
