/** Reading a team's materialised view (rows only; events are never rescanned). */
import type { ViewStore } from "../storage/server_store.ts";
import { type Page, type ProjectSummaryJson, summarise } from "./page.ts";
import { presentProjects, type ProjectJson } from "./present.ts";

export class ViewReader {
  constructor(private readonly store: ViewStore) {}

  /** A page of the team's projects in brief, most recently active first. */
  async summaries(
    team: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ProjectSummaryJson>> {
    const page = await this.store.projectRowPage(team, limit, cursor);
    return { items: page.items.map(summarise), next_cursor: page.next_cursor };
  }

  /** A page of the team's projects in full, most recently active first. */
  async projectPage(team: string, limit: number, cursor?: string): Promise<Page<ProjectJson>> {
    const page = await this.store.projectRowPage(team, limit, cursor);
    const items: ProjectJson[] = [];
    for (const row of page.items) {
      const project = await this.project(team, row.project_uuid);
      if (project) items.push(project);
    }
    return { items, next_cursor: page.next_cursor };
  }

  /** One project of the team, or undefined if the team has none with that uuid. */
  async project(team: string, projectUuid: string): Promise<ProjectJson | undefined> {
    const rows = await this.store.projectRows(team, projectUuid);
    return rows === undefined ? undefined : presentProjects(rows)[0];
  }
}
