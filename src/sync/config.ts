/**
 * The user's sync settings in `<home>/config.toml` (same format as spec-kitty):
 * `[sync] server_url` and `[sync] max_queue_size`. A missing file or key gives the default; a
 * broken file gives the defaults plus a problem to report, never an exception.
 */
import { join } from "../common/path.ts";
import { kittifyHome } from "../common/home.ts";
import { DEFAULT_CAPACITY } from "../store/outbox.ts";
import { parseToml } from "../common/toml.ts";

/**
 * Without `[sync] server_url`, the reference server `kittify serve` on this machine (its default
 * address). spec-kitty's hosted service, the original default, has been retired.
 */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:8787";
export const CONFIG_FILE = "config.toml";

export interface SyncConfig {
  serverUrl: string;
  maxQueueSize: number;
  /** Why a setting was ignored (the default is used instead). */
  problems: string[];
}

export function defaultSyncConfig(): SyncConfig {
  return { serverUrl: DEFAULT_SERVER_URL, maxQueueSize: DEFAULT_CAPACITY, problems: [] };
}

/** Parses the text of config.toml (null when there is no file). */
export async function parseSyncConfig(text: string | null): Promise<SyncConfig> {
  const config = defaultSyncConfig();
  if (text === null || text.trim() === "") return config;
  const { doc, problem } = await parseToml(text);
  if (doc === null) {
    config.problems.push(`${CONFIG_FILE} is not valid TOML (${problem}); using defaults`);
    return config;
  }
  const sync = doc.sync;
  if (sync === undefined) return config;
  if (typeof sync !== "object" || sync === null || Array.isArray(sync)) {
    config.problems.push(`${CONFIG_FILE}: [sync] is not a table; using defaults`);
    return config;
  }
  const { server_url: url, max_queue_size: size } = sync as Record<string, unknown>;
  if (typeof url === "string" && url.trim() !== "") {
    config.serverUrl = url.trim().replace(/\/+$/, "");
  } else if (url !== undefined) {
    config.problems.push(`${CONFIG_FILE}: ignoring [sync] server_url ${JSON.stringify(url)}`);
  }
  const n = typeof size === "bigint" ? Number(size) : size;
  if (typeof n === "number" && Number.isSafeInteger(n) && n > 0) {
    config.maxQueueSize = n;
  } else if (size !== undefined) {
    config.problems.push(
      `${CONFIG_FILE}: ignoring [sync] max_queue_size ${String(size)} (expected an integer > 0)`,
    );
  }
  return config;
}

export function configTomlPath(home: string = kittifyHome()): string {
  return join(home, CONFIG_FILE);
}

/** Reads `<home>/config.toml` (read-only). */
export async function readSyncConfig(home: string = kittifyHome()): Promise<SyncConfig> {
  let text: string | null = null;
  try {
    text = await Deno.readTextFile(configTomlPath(home));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      const config = defaultSyncConfig();
      config.problems.push(`cannot read ${configTomlPath(home)}: ${String(err)}; using defaults`);
      return config;
    }
  }
  return parseSyncConfig(text);
}
