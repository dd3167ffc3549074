/**
 * Paging through a team's projects, most recently active first, with Deno KV's own cursors over
 * the activity index (keys.ts). A page is a walk, not a snapshot: a project active while a client
 * pages moves to the front, so it may show up again on a later page or be passed over until the
 * client starts again from the first page.
 */
import { activityPrefix } from "../keys.ts";
import type { ProjectJson } from "./present.ts";
import type { ProjectRow } from "./rows.ts";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** What the project list shows of each project; `/api/v1/projects/<uuid>/` has the rest. */
export type ProjectSummaryJson = Omit<ProjectJson, "lanes" | "features">;

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** A limit or cursor that cannot be used (the route answers 400). */
export class BadPageRequest extends Error {}

/** Parses `limit` (1 to MAX_PAGE_SIZE, default `fallback`). */
export function pageSize(raw: string | undefined, fallback = DEFAULT_PAGE_SIZE): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new BadPageRequest(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** One page of the team's project rows, newest activity first. */
export async function projectRowPage(
  kv: Deno.Kv,
  team: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<ProjectRow>> {
  // A cursor encodes a key below the prefix; keys are at most 2 KiB (their base64 is shorter
  // than this), and a longer one would fail in Deno KV as "key too large".
  if (cursor !== undefined && !/^[A-Za-z0-9+/=_-]{1,1500}$/.test(cursor)) {
    throw new BadPageRequest("cursor is not one this server gave out");
  }
  const rows: ProjectRow[] = [];
  const entries = kv.list<ProjectRow>({ prefix: activityPrefix(team) }, {
    limit,
    cursor: cursor || undefined,
    reverse: true,
  });
  try {
    for await (const entry of entries) rows.push(entry.value);
  } catch (err) {
    // Deno KV refuses a cursor that does not decode to a usable key under the prefix.
    if (cursor !== undefined && err instanceof TypeError) {
      throw new BadPageRequest("cursor is not one this server gave out");
    }
    throw err;
  }
  return { items: rows, next_cursor: rows.length === limit ? entries.cursor : null };
}

export function summarise(row: ProjectRow): ProjectSummaryJson {
  return {
    project_uuid: row.project_uuid,
    project_slug: row.project_slug,
    repo_slug: row.repo_slug,
    event_count: row.event_count,
    last_change: row.last_change,
    last_activity: row.last_received_at,
  };
}
