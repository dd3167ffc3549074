/**
 * Reading the materialised view from Deno KV: pages over the activity index with Deno KV's own
 * cursors, and a project's rows under its project row's key (keys.ts).
 */
import type { ViewRows } from "../../view/present.ts";
import { BadPageRequest, type Page } from "../../view/page.ts";
import type { FeatureRow, ProjectRow, WpRow } from "../../view/rows.ts";
import type { ViewStore } from "../server_store.ts";
import { activityPrefix, projectRowKey } from "./keys.ts";

export class KvViewStore implements ViewStore {
  constructor(private readonly kv: Deno.Kv) {}

  async projectRowPage(
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
    const entries = this.kv.list<ProjectRow>({ prefix: activityPrefix(team) }, {
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

  async projectRows(team: string, project: string): Promise<ViewRows | undefined> {
    const prefix = projectRowKey(team, project);
    const head = await this.kv.get<ProjectRow>(prefix);
    if (head.value === null) return undefined;
    const rows: ViewRows = { projects: [head.value], features: [], wps: [] };
    for await (const entry of this.kv.list<FeatureRow | WpRow>({ prefix })) {
      // ["view", team, project, "f", ...] is a feature row, [..., "w", ...] a work package's.
      const kind = entry.key[prefix.length];
      if (kind === "f") rows.features.push(entry.value as FeatureRow);
      else if (kind === "w") rows.wps.push(entry.value as WpRow);
    }
    return rows;
  }
}
