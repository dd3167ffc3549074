/**
 * The server store on PostgreSQL, for several server processes sharing one database
 * (`kittify serve --database-url`, or DATABASE_URL). One connection pool per process; the schema
 * is migrated at start (schema.ts); live fan-out across the processes with LISTEN/NOTIFY
 * (pg_feed.ts).
 */
import postgres, { type Sql } from "postgres";
import { UserError } from "../../../common/errors.ts";
import type { StoreUse } from "../open_store.ts";
import type { ServerStore } from "../server_store.ts";
import { redactDatabaseUrl } from "./database_url.ts";
import { PostgresEventStore } from "./pg_events.ts";
import { PostgresRefreshFamilies } from "./pg_families.ts";
import { PostgresEventFeed } from "./pg_feed.ts";
import { PostgresUserRecords } from "./pg_users.ts";
import { PostgresViewStore } from "./pg_views.ts";
import { migrateSchema, schemaVersion } from "./schema.ts";

/** Connections per server process. */
const POOL_SIZE = 8;
const CONNECT_TIMEOUT_S = 10;

export class PostgresServerStore implements ServerStore {
  readonly users: PostgresUserRecords;
  readonly families: PostgresRefreshFamilies;
  readonly events: PostgresEventStore;
  readonly views: PostgresViewStore;
  readonly feed: PostgresEventFeed;

  constructor(readonly sql: Sql, readonly location: string) {
    this.users = new PostgresUserRecords(sql);
    this.families = new PostgresRefreshFamilies(sql);
    this.feed = new PostgresEventFeed(
      sql,
      (err) => console.error(`live fan-out: ${err instanceof Error ? err.message : err}`),
    );
    this.events = new PostgresEventStore(sql, (payload) => this.feed.markOwn(payload));
    this.views = new PostgresViewStore(sql);
  }

  migrate(): Promise<number> {
    return migrateSchema(this.sql);
  }

  async signingKey(): Promise<Uint8Array> {
    const fresh = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    // The first server to start stores its key; everyone reads the stored one.
    await this.sql`
      INSERT INTO kittify_meta (key, value) VALUES ('signing_key', ${fresh})
      ON CONFLICT (key) DO NOTHING`;
    const [{ value }] = await this.sql<{ value: string }[]>`
      SELECT value FROM kittify_meta WHERE key = 'signing_key'`;
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

/** Connects (and checks the connection); `existing` requires a kittify schema in the database. */
export async function openPostgresStore(url: string, use: StoreUse): Promise<PostgresServerStore> {
  const location = redactDatabaseUrl(url);
  const sql = postgres(url, {
    max: POOL_SIZE,
    connect_timeout: CONNECT_TIMEOUT_S,
    onnotice: () => {},
    // Sequence numbers and counts stay strings (bigint); nothing else needs converting.
    connection: { application_name: "kittify serve" },
  });
  try {
    if ((await schemaVersion(sql)) === 0 && use === "existing") {
      throw new UserError(`no kittify store in the database ${location}`, {
        hint: "`kittify serve` or `kittify serve migrate` with the same database creates it",
      });
    }
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    if (err instanceof UserError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`cannot connect to the database ${location}: ${reason}`, {
      cause: err,
      hint: "check the URL, that PostgreSQL is running, and PGPASSWORD",
    });
  }
  return new PostgresServerStore(sql, location);
}
