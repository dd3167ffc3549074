/**
 * Refresh-token families in Deno KV. Each record carries its own expiry time, checked on every
 * read (KV's `expireIn` removes expired records only eventually), and `expireIn` cleans up.
 */
import { retryLocked } from "../../../store/retry.ts";
import type { RefreshFamilies, RefreshFamily } from "../server_store.ts";
import { refreshFamilyKey } from "./keys.ts";

interface StoredFamily extends RefreshFamily {
  /** Milliseconds since the epoch. */
  expires_at?: number;
}

export class KvRefreshFamilies implements RefreshFamilies {
  constructor(private readonly kv: Deno.Kv) {}

  async create(family: string, state: RefreshFamily, lifetimeMs: number): Promise<void> {
    await retryLocked(() =>
      this.kv.set(refreshFamilyKey(family), stamp(state, lifetimeMs), { expireIn: lifetimeMs })
    );
  }

  async get(family: string): Promise<RefreshFamily | undefined> {
    const entry = await this.kv.get<StoredFamily>(refreshFamilyKey(family));
    return live(entry.value);
  }

  async rotate(family: string, from: string, to: string, lifetimeMs: number): Promise<boolean> {
    const key = refreshFamilyKey(family);
    const entry = await this.kv.get<StoredFamily>(key);
    const state = live(entry.value);
    if (!state || state.revoked || state.current !== from) return false;
    const next = stamp({ ...state, current: to }, lifetimeMs);
    const result = await retryLocked(() =>
      this.kv.atomic().check(entry).set(key, next, { expireIn: lifetimeMs }).commit()
    );
    return result.ok;
  }

  async revoke(family: string, lifetimeMs: number): Promise<void> {
    const key = refreshFamilyKey(family);
    const state = live((await this.kv.get<StoredFamily>(key)).value);
    if (!state) return;
    const next = stamp({ ...state, revoked: true }, lifetimeMs);
    await retryLocked(() => this.kv.set(key, next, { expireIn: lifetimeMs }));
  }
}

function stamp(state: RefreshFamily, lifetimeMs: number): StoredFamily {
  return { ...state, expires_at: Date.now() + lifetimeMs };
}

/** The family without its bookkeeping, or undefined when missing or expired. */
function live(stored: StoredFamily | null): RefreshFamily | undefined {
  if (!stored || (stored.expires_at !== undefined && stored.expires_at <= Date.now())) {
    return undefined;
  }
  return { username: stored.username, current: stored.current, revoked: stored.revoked };
}
