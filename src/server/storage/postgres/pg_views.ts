/**
 * Reading the materialised view from PostgreSQL. Pages walk the activity index
 * (`view_projects_activity`) with keyset cursors: a cursor is the last row's
 * (last_received_at, project_uuid), base64url-encoded JSON.
 */
import type { Sql } from "postgres";
import { BadPageRequest, type Page } from "../../view/page.ts";
import type { ViewRows } from "../../view/present.ts";
import type { ProjectRow } from "../../view/rows.ts";
import type { ViewStore } from "../server_store.ts";

export class PostgresViewStore implements ViewStore {
  constructor(private readonly sql: Sql) {}

  async projectRowPage(
    team: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<ProjectRow>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = after === undefined
      ? await this.sql<{ row: string }[]>`
        SELECT row FROM view_projects WHERE team = ${team}
        ORDER BY last_received_at DESC, project_uuid DESC LIMIT ${limit}`
      : await this.sql<{ row: string }[]>`
        SELECT row FROM view_projects
        WHERE team = ${team} AND (last_received_at, project_uuid) < (${after[0]}, ${after[1]})
        ORDER BY last_received_at DESC, project_uuid DESC LIMIT ${limit}`;
    const items: ProjectRow[] = rows.map((r) => JSON.parse(r.row));
    const last = items.at(-1);
    return {
      items,
      next_cursor: items.length === limit && last
        ? encodeCursor([last.last_received_at, last.project_uuid])
        : null,
    };
  }

  async projectRows(team: string, project: string): Promise<ViewRows | undefined> {
    // One snapshot for the three tables: the rows match one another.
    return await this.sql.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", async (tx) => {
      const [projects, features, wps] = await Promise.all([
        tx<{ row: string }[]>`
          SELECT row FROM view_projects WHERE team = ${team} AND project_uuid = ${project}`,
        tx<{ row: string }[]>`
          SELECT row FROM view_features WHERE team = ${team} AND project_uuid = ${project}`,
        tx<{ row: string }[]>`
          SELECT row FROM view_work_packages WHERE team = ${team} AND project_uuid = ${project}`,
      ]);
      if (projects.length === 0) return undefined;
      const parse = (rows: { row: string }[]) => rows.map((r) => JSON.parse(r.row));
      return { projects: parse(projects), features: parse(features), wps: parse(wps) };
    });
  }
}

function encodeCursor(position: [string, string]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(position));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(cursor: string): [string, string] {
  const refused = new BadPageRequest("cursor is not one this server gave out");
  if (!/^[A-Za-z0-9_-]{1,1500}$/.test(cursor)) throw refused;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const text = new TextDecoder("utf-8", { fatal: true })
      .decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const value = JSON.parse(text);
    if (
      Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")
    ) return [value[0], value[1]];
  } catch {
    // falls through to the refusal
  }
  throw refused;
}
