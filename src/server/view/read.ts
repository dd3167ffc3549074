/** Reading a team's materialised view from the store (rows only; events are never rescanned). */
import { projectRowKey } from "../keys.ts";
import { type Page, projectRowPage, type ProjectSummaryJson, summarise } from "./page.ts";
import { presentProjects, type ProjectJson, type ViewRows } from "./present.ts";
import type { FeatureRow, ProjectRow, WpRow } from "./rows.ts";

export class ViewReader {
  constructor(private readonly kv: Deno.Kv) {}

  /** A page of the team's projects in brief, most recently active first. */
  async summaries(
    team: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ProjectSummaryJson>> {
    const page = await projectRowPage(this.kv, team, limit, cursor);
    return { items: page.items.map(summarise), next_cursor: page.next_cursor };
  }

  /** A page of the team's projects in full, most recently active first. */
  async projectPage(team: string, limit: number, cursor?: string): Promise<Page<ProjectJson>> {
    const page = await projectRowPage(this.kv, team, limit, cursor);
    const items: ProjectJson[] = [];
    for (const row of page.items) {
      const project = await this.project(team, row.project_uuid);
      if (project) items.push(project);
    }
    return { items, next_cursor: page.next_cursor };
  }

  /** One project of the team, or undefined if the team has none with that uuid. */
  async project(team: string, projectUuid: string): Promise<ProjectJson | undefined> {
    const head = await this.kv.get<ProjectRow>(projectRowKey(team, projectUuid));
    if (head.value === null) return undefined;
    const rows = await this.rows(projectRowKey(team, projectUuid));
    rows.projects.push(head.value);
    return presentProjects(rows)[0];
  }

  private async rows(prefix: Deno.KvKey): Promise<ViewRows> {
    const rows: ViewRows = { projects: [], features: [], wps: [] };
    for await (const entry of this.kv.list<ProjectRow | FeatureRow | WpRow>({ prefix })) {
      // ["view", team, project] is a project row; then "f" / "w" rows below it.
      const kind = entry.key[3];
      if (kind === undefined) rows.projects.push(entry.value as ProjectRow);
      else if (kind === "f") rows.features.push(entry.value as FeatureRow);
      else if (kind === "w") rows.wps.push(entry.value as WpRow);
    }
    return rows;
  }
}
