/**
 * The rows of one project's view, loaded from the store once and then kept in memory so that
 * ingesting an event costs no read. Every commit that changes any row of a project also rewrites
 * the project row and checks its versionstamp, so a stale cache (another server process sharing
 * the store) makes the commit fail instead of losing an update; the caller then drops the entry
 * and reloads.
 */
import { projectRowKey } from "./keys.ts";
import type { FeatureRow, ProjectRow, WpRow } from "../../view/rows.ts";

export interface ProjectView {
  team: string;
  projectUuid: string;
  /** Versionstamp of the project row; null while the project has no row yet. */
  versionstamp: string | null;
  project: ProjectRow | undefined;
  features: Map<string, FeatureRow>;
  /** Keyed by {@link wpMapKey}. */
  wps: Map<string, WpRow>;
}

export const wpMapKey = (feature: string, wp: string): string => `${feature}\u0000${wp}`;

export class ViewCache {
  private readonly views = new Map<string, ProjectView>();

  constructor(private readonly kv: Deno.Kv, private readonly maxProjects = 512) {}

  async get(team: string, projectUuid: string): Promise<ProjectView> {
    const id = `${team}\u0000${projectUuid}`;
    const cached = this.views.get(id);
    if (cached) return cached;
    const view = await this.load(team, projectUuid);
    this.views.set(id, view);
    if (this.views.size > this.maxProjects) {
      this.views.delete(this.views.keys().next().value!);
    }
    return view;
  }

  /** Replaces a project's entry after a successful commit. */
  put(view: ProjectView): void {
    this.views.set(`${view.team}\u0000${view.projectUuid}`, view);
  }

  drop(team: string, projectUuid: string): void {
    this.views.delete(`${team}\u0000${projectUuid}`);
  }

  private async load(team: string, projectUuid: string): Promise<ProjectView> {
    // The project row first: rows listed afterwards are at least as new as its versionstamp.
    const head = await this.kv.get<ProjectRow>(projectRowKey(team, projectUuid));
    const view: ProjectView = {
      team,
      projectUuid,
      versionstamp: head.versionstamp,
      project: head.value ?? undefined,
      features: new Map(),
      wps: new Map(),
    };
    const prefix = projectRowKey(team, projectUuid);
    for await (const entry of this.kv.list<FeatureRow | WpRow>({ prefix })) {
      const kind = entry.key[prefix.length];
      if (kind === "f") {
        const row = entry.value as FeatureRow;
        view.features.set(row.feature_slug, row);
      } else if (kind === "w") {
        const row = entry.value as WpRow;
        view.wps.set(wpMapKey(row.feature_slug, row.wp_id), row);
      }
    }
    return view;
  }
}
