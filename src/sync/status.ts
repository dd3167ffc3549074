/**
 * What `sync status` reports, gathered without side effects: the store is only read (and not
 * created when missing), config.yaml and config.toml are only read, no network.
 */
import {
  type Credentials,
  credentialsPath,
  isLoggedIn,
  readCredentialsFile,
} from "../auth/credentials.ts";
import { configPathOf, findRepoRoot } from "../identity/repo_root.ts";
import type { OutboxState } from "../store/keys.ts";
import { existingUserKv, userKvPath } from "../store/open.ts";
import { listState, readClock, readStats } from "../store/read.ts";
import { emptyStats, RETRY_BUCKETS, type RetryBucket } from "../store/stats.ts";
import { readHealth } from "../store/health.ts";
import { currentLease } from "../store/lease.ts";
import { emptyHealth, type Lease, type SyncHealth } from "../store/outbox.ts";
import { readSyncConfig } from "./config.ts";
import { autoStartEnabled } from "../identity/config_doc.ts";

export interface SyncStatus {
  server_url: string;
  auth: {
    logged_in: boolean;
    username: string | null;
    team_slug: string | null;
    access_expires_at: string | null;
    refresh_expires_at: string | null;
    credentials_path: string;
  };
  auto_start: boolean;
  project_root: string | null;
  store_path: string;
  lamport_clock: number;
  queue: Record<OutboxState, number>;
  bytes: Record<OutboxState, number>;
  max_queue_size: number;
  evicted: number;
  oldest_pending_age_seconds: number | null;
  retry_distribution: Record<RetryBucket, number>;
  top_event_types: Array<{ event_type: string; count: number }>;
  /** Delivery so far: last attempt, last success, last failure (when, why), failures in a row. */
  health: SyncHealth;
  /** The process delivering right now, if any. */
  uploader: Lease | null;
  /** Settings that were ignored (e.g. a broken config.toml). */
  problems: string[];
}

function authOf(creds: Credentials | null, now: Date): SyncStatus["auth"] {
  return {
    logged_in: isLoggedIn(creds, now),
    username: creds?.username ?? null,
    team_slug: creds?.teamSlug ?? null,
    access_expires_at: creds?.accessExpiresAt?.toISOString() ?? null,
    refresh_expires_at: creds?.refreshExpiresAt?.toISOString() ?? null,
    credentials_path: credentialsPath(),
  };
}

/** The five most frequent types, count descending then name. */
export function topTypes(types: Record<string, number>, n = 5): SyncStatus["top_event_types"] {
  return Object.entries(types)
    .map(([event_type, count]) => ({ event_type, count }))
    .sort((a, b) => b.count - a.count || a.event_type.localeCompare(b.event_type))
    .slice(0, n);
}

/**
 * `sync.auto_start` from `<repoRoot>/.kittify/config.yaml`, read without the identity resolver
 * (which would backfill the file: status has no side effects). Only an explicit false disables.
 */
async function readAutoStart(repoRoot: string | null): Promise<boolean> {
  if (repoRoot === null) return true;
  const text = await Deno.readTextFile(configPathOf(repoRoot)).catch(() => null);
  return autoStartEnabled(text);
}

export async function syncStatus(cwd: string, now: Date = new Date()): Promise<SyncStatus> {
  const root = await findRepoRoot(cwd);
  const [config, credsRead, autoStart, kv] = await Promise.all([
    readSyncConfig(),
    readCredentialsFile(),
    readAutoStart(root),
    existingUserKv(),
  ]);
  const [stats, health, uploader] = kv
    ? await Promise.all([readStats(kv), readHealth(kv), currentLease(kv, () => now.getTime())])
    : [emptyStats(), emptyHealth(), null];
  const oldest = kv ? (await listState(kv, "pending", 1))[0] : undefined;
  return {
    server_url: config.serverUrl,
    auth: authOf(credsRead.credentials, now),
    auto_start: autoStart,
    project_root: root,
    store_path: userKvPath(),
    lamport_clock: kv ? await readClock(kv) : 0,
    queue: stats.count,
    // The synced log's size is not kept in the counters: it is summed here (1,000 at most).
    bytes: {
      ...stats.bytes,
      synced: kv ? (await listState(kv, "synced")).reduce((n, e) => n + e.record.bytes, 0) : 0,
    },
    max_queue_size: config.maxQueueSize,
    evicted: stats.evicted,
    oldest_pending_age_seconds: oldest
      ? Math.max(0, (now.getTime() - oldest.record.enqueued_at) / 1000)
      : null,
    retry_distribution: Object.fromEntries(
      RETRY_BUCKETS.map((b) => [b, stats.pending_retries[b] ?? 0]),
    ) as Record<RetryBucket, number>,
    top_event_types: topTypes(stats.pending_types),
    health,
    uploader,
    problems: credsRead.problem
      ? [...config.problems, `${credsRead.problem}; counted as logged out`]
      : config.problems,
  };
}
