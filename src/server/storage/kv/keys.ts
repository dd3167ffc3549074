/**
 * Every key of the server store (one Deno KV database, `server.kv` by default), in one place.
 *
 * | key | value |
 * |---|---|
 * | `["meta", "signing_key"]` | the JWT signing secret (base64), generated on first start |
 * | `["meta", "layout"]` | the layout version of this store (migrations.ts) |
 * | `["users", username]` | {@link import("./auth/users.ts").UserRecord} |
 * | `["refresh_families", family]` | the current refresh token of a login session |
 * | `["events", team, event_id]` | {@link import("./ingest/stored_event.ts").StoredEvent} |
 * | `["owners", project_uuid]` | the team that owns the project (first team to send it) |
 * | `["view", team, project_uuid]` | project row of the materialised view |
 * | `["activity", team, last_received_at, project_uuid]` | the project row again, listed newest first for paging |
 * | `["view", team, project_uuid, "f", feature_slug]` | feature row |
 * | `["view", team, project_uuid, "w", feature_slug, wp_id]` | work-package row |
 */

export const SIGNING_KEY: Deno.KvKey = ["meta", "signing_key"];

export const userKey = (username: string): Deno.KvKey => ["users", username];
export const USERS_PREFIX: Deno.KvKey = ["users"];

export const refreshFamilyKey = (family: string): Deno.KvKey => ["refresh_families", family];

export const STORE_LAYOUT: Deno.KvKey = ["meta", "layout"];

/** Events are kept, and deduplicated, per team: no team can suppress another's event. */
export const eventKey = (team: string, eventId: string): Deno.KvKey => ["events", team, eventId];
export const EVENTS_PREFIX: Deno.KvKey = ["events"];

export const ownerKey = (projectUuid: string): Deno.KvKey => ["owners", projectUuid];

/** A team's projects by their latest arrival (the list endpoint pages through these). */
export const activityKey = (team: string, lastReceivedAt: string, project: string): Deno.KvKey => [
  "activity",
  team,
  lastReceivedAt,
  project,
];
export const activityPrefix = (team: string): Deno.KvKey => ["activity", team];

export const projectRowKey = (team: string, project: string): Deno.KvKey => [
  "view",
  team,
  project,
];
export const featureRowKey = (team: string, project: string, feature: string): Deno.KvKey => [
  "view",
  team,
  project,
  "f",
  feature,
];
export const wpRowKey = (
  team: string,
  project: string,
  feature: string,
  wp: string,
): Deno.KvKey => ["view", team, project, "w", feature, wp];
