/**
 * Paging through a team's projects, most recently active first (each store keeps its own index
 * and cursors). A page is a walk, not a snapshot: a project active while a client pages moves to
 * the front, so it may show up again on a later page or be passed over until the client starts
 * again from the first page.
 */
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
