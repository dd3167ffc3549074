/**
 * The PostgreSQL schema, as numbered migrations applied in order at every server start (and by
 * `kittify serve migrate`). Each runs in one transaction under an advisory lock, so servers
 * starting together apply each migration once; `kittify_schema` records what was applied.
 *
 * JSON documents (user records, view rows, envelopes) are kept as text: `jsonb` cannot hold a
 * `\u0000` escape, which an event's free text may contain, and nothing queries inside them.
 */
import type { Sql } from "postgres";
import { UserError } from "../../../common/errors.ts";

/** Key of the advisory lock migrations hold (any constant shared by every kittify server). */
const MIGRATION_LOCK = 0x6b697474; // "kitt"

export const MIGRATIONS: readonly string[] = [
  // 1: users, login sessions, events with per-team dedup, ownership, the materialised view.
  `
  CREATE TABLE kittify_meta (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE users (username text PRIMARY KEY, record text NOT NULL);
  CREATE TABLE refresh_families (
    family text PRIMARY KEY,
    username text NOT NULL,
    current_jti text NOT NULL,
    revoked boolean NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX refresh_families_expiry ON refresh_families (expires_at);
  CREATE TABLE events (
    seq bigserial PRIMARY KEY,
    team text NOT NULL,
    event_id text NOT NULL,
    project_uuid text NOT NULL,
    envelope text NOT NULL,
    received_at timestamptz NOT NULL,
    UNIQUE (team, event_id)
  );
  CREATE TABLE owners (project_uuid text PRIMARY KEY, team text NOT NULL);
  CREATE TABLE view_projects (
    team text NOT NULL,
    project_uuid text NOT NULL,
    last_received_at text NOT NULL,
    row text NOT NULL,
    PRIMARY KEY (team, project_uuid)
  );
  CREATE INDEX view_projects_activity
    ON view_projects (team, last_received_at DESC, project_uuid DESC);
  CREATE TABLE view_features (
    team text NOT NULL,
    project_uuid text NOT NULL,
    feature_slug text NOT NULL,
    row text NOT NULL,
    PRIMARY KEY (team, project_uuid, feature_slug)
  );
  CREATE TABLE view_work_packages (
    team text NOT NULL,
    project_uuid text NOT NULL,
    feature_slug text NOT NULL,
    wp_id text NOT NULL,
    row text NOT NULL,
    PRIMARY KEY (team, project_uuid, feature_slug, wp_id)
  );
  `,
  // 2: the transaction that stored each event, for exact live fan-out across processes
  // (pg_feed.ts): sequence numbers of concurrent transactions interleave, transaction ids do not.
  `
  ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
  CREATE INDEX events_txid ON events (txid);
  `,
];

/** Applies the migrations `sql`'s database lacks; returns how many it applied. */
export async function migrateSchema(sql: Sql): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS kittify_schema (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
    const [{ version }] = await tx<{ version: number }[]>`
      SELECT coalesce(max(version), 0)::int AS version FROM kittify_schema`;
    if (version > MIGRATIONS.length) throw newerSchema(version);
    for (let v = version + 1; v <= MIGRATIONS.length; v++) {
      await tx.unsafe(MIGRATIONS[v - 1]);
      await tx`INSERT INTO kittify_schema (version) VALUES (${v})`;
    }
    return MIGRATIONS.length - version;
  });
}

/**
 * The database's schema version: 0 without a kittify schema. A version newer than this kittify
 * knows is the user's to resolve (upgrade kittify), so it is refused here too.
 */
export async function schemaVersion(sql: Sql): Promise<number> {
  const [{ found }] = await sql<{ found: boolean }[]>`
    SELECT to_regclass('kittify_schema') IS NOT NULL AS found`;
  if (!found) return 0;
  const [{ version }] = await sql<{ version: number }[]>`
    SELECT coalesce(max(version), 0)::int AS version FROM kittify_schema`;
  if (version > MIGRATIONS.length) throw newerSchema(version);
  return version;
}

function newerSchema(version: number): UserError {
  return new UserError(
    `the database has kittify schema version ${version}, newer than this kittify knows ` +
      `(${MIGRATIONS.length})`,
    { hint: "upgrade kittify on this machine to the version the other servers run" },
  );
}
