/**
 * The sync runtime: a lazy per-process singleton created by the first emit (commands that emit
 * nothing open nothing). It owns the outbox of the user store, the sync settings, the team slug
 * and, when `sync.auto_start` is not false in the repository root's config.yaml, the network
 * delivery (see `delivery.ts`). It is closed by the CLI's shutdown hooks, before the store.
 */
import { readCredentials, teamSlugOf } from "../auth/credentials.ts";
import { onShutdown } from "../common/lifecycle.ts";
import { warnOnce } from "../common/warnings.ts";
import { resolveAtRoot } from "../identity/resolve.ts";
import { userKv } from "../store/open.ts";
import { KvOutbox } from "../store/kv_outbox.ts";
import { readSyncConfig, type SyncConfig } from "./config.ts";
import { createDelivery, type Delivery, NO_DELIVERY } from "./delivery.ts";

export interface SyncRuntime {
  readonly outbox: KvOutbox;
  readonly config: SyncConfig;
  /** `sync.auto_start` of the repository root (true outside a project). */
  readonly autoStart: boolean;
  /** The envelope's team_slug: the logged-in user's team, else `local`. */
  readonly teamSlug: string;
  readonly delivery: Delivery;
}

let current: Promise<SyncRuntime> | undefined;

/** The process's runtime, created on first use for the repository at `repoRoot`. */
export function syncRuntime(repoRoot: string | null): Promise<SyncRuntime> {
  current ??= create(repoRoot);
  current.catch(() => {
    current = undefined;
  });
  return current;
}

async function create(repoRoot: string | null): Promise<SyncRuntime> {
  const [config, autoStart, creds] = await Promise.all([
    readSyncConfig(),
    // The identity resolver has read (and cached) the repository root's config.yaml already.
    repoRoot === null ? true : resolveAtRoot(repoRoot).then((r) => r.autoStart, () => true),
    readCredentials(),
  ]);
  for (const problem of config.problems) warnOnce(`config:${problem}`, problem);
  const kv = await userKv();
  const delivery = autoStart ? createDelivery({ kv, config }) : NO_DELIVERY;
  const runtime: SyncRuntime = {
    outbox: new KvOutbox(kv, config.maxQueueSize),
    config,
    autoStart,
    teamSlug: teamSlugOf(creds),
    delivery,
  };
  // Registered after the store opened, so it runs before the store is closed.
  onShutdown(async () => {
    current = undefined;
    await delivery.close();
  });
  return runtime;
}
