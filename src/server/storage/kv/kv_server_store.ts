/**
 * The server store on Deno KV: an embedded file (`<KITTIFY_HOME>/server.kv` by default, or
 * `--data`), or `:memory:` in tests. Several server processes may share one file (KV's commits
 * are atomic across processes), but only the process that stored an event broadcasts it: live
 * fan-out across processes needs the PostgreSQL store.
 */
import type { ServerStore } from "../server_store.ts";
import { KvEventStore } from "./kv_events.ts";
import { KvRefreshFamilies } from "./kv_families.ts";
import { KvUserRecords } from "./kv_users.ts";
import { KvViewStore } from "./kv_views.ts";
import { migrateStore } from "./migrations.ts";
import { loadSigningKey } from "./signing_key.ts";

export class KvServerStore implements ServerStore {
  readonly users: KvUserRecords;
  readonly families: KvRefreshFamilies;
  readonly events: KvEventStore;
  readonly views: KvViewStore;

  constructor(readonly kv: Deno.Kv, readonly location = "memory") {
    this.users = new KvUserRecords(kv);
    this.families = new KvRefreshFamilies(kv);
    this.events = new KvEventStore(kv);
    this.views = new KvViewStore(kv);
  }

  migrate(): Promise<number> {
    return migrateStore(this.kv);
  }

  signingKey(): Promise<Uint8Array> {
    return loadSigningKey(this.kv);
  }

  close(): Promise<void> {
    this.kv.close();
    return Promise.resolve();
  }
}
