/**
 * The view as clients see it (pure): rows grouped into projects → features → work packages,
 * with lane counts. Internal bookkeeping (the order keys that decide which event wins) is left
 * out.
 */
import { LANES } from "../../events/types.ts";
import {
  type FeatureRow,
  type LastChange,
  newFeatureRow,
  type ProjectRow,
  type WpRow,
} from "./rows.ts";

export interface WpJson {
  wp_id: string;
  title: string | null;
  lane: string | null;
  /** Who made the latest lane change, and when. */
  actor: string | null;
  moved_at: string | null;
  dependencies: string[];
  event_count: number;
  last_change: LastChange | null;
  last_activity: string;
}

export interface FeatureJson {
  /** null groups work packages whose events named no feature. */
  feature_slug: string | null;
  feature_number: string | null;
  target_branch: string | null;
  wp_count: number | null;
  completed_at: string | null;
  event_count: number;
  last_change: LastChange | null;
  last_activity: string;
  lanes: Record<string, number>;
  work_packages: WpJson[];
}

export interface ProjectJson {
  project_uuid: string;
  project_slug: string | null;
  repo_slug: string | null;
  event_count: number;
  last_change: LastChange | null;
  last_activity: string;
  lanes: Record<string, number>;
  features: FeatureJson[];
}

/** A snapshot entry of the WebSocket's first frame. */
export interface SnapshotWp extends WpJson {
  project_uuid: string;
  project_slug: string | null;
  feature_slug: string | null;
}

export interface ViewRows {
  projects: ProjectRow[];
  features: FeatureRow[];
  wps: WpRow[];
}

/** Projects, most recently active first; features by slug; work packages by id. */
export function presentProjects(rows: ViewRows): ProjectJson[] {
  const features = groupBy(rows.features, (f) => f.project_uuid);
  const wps = groupBy(rows.wps, (w) => `${w.project_uuid}\u0000${w.feature_slug}`);
  const wpsByProject = groupBy(rows.wps, (w) => w.project_uuid);
  return rows.projects
    .map((p) => {
      const featureRows = new Map(
        (features.get(p.project_uuid) ?? []).map((f) => [f.feature_slug, f]),
      );
      // WPs may arrive before (or without) their FeatureCreated: give them a feature entry.
      for (const w of wpsByProject.get(p.project_uuid) ?? []) {
        if (!featureRows.has(w.feature_slug)) {
          featureRows.set(w.feature_slug, newFeatureRow(p.project_uuid, w.feature_slug, ""));
        }
      }
      const featureJson = [...featureRows.values()]
        .sort((a, b) => a.feature_slug.localeCompare(b.feature_slug))
        .map((f) => presentFeature(f, wps.get(`${p.project_uuid}\u0000${f.feature_slug}`) ?? []));
      return {
        project_uuid: p.project_uuid,
        project_slug: p.project_slug,
        repo_slug: p.repo_slug,
        event_count: p.event_count,
        last_change: p.last_change,
        last_activity: p.last_received_at,
        lanes: sumLanes(featureJson.map((f) => f.lanes)),
        features: featureJson,
      };
    })
    .sort((a, b) => b.last_activity.localeCompare(a.last_activity));
}

/** The flat list of work packages the WebSocket snapshot carries. */
export function snapshotWorkPackages(projects: ProjectJson[]): SnapshotWp[] {
  return projects.flatMap((p) =>
    p.features.flatMap((f) =>
      f.work_packages.map((w) => ({
        project_uuid: p.project_uuid,
        project_slug: p.project_slug,
        feature_slug: f.feature_slug,
        ...w,
      }))
    )
  );
}

function presentFeature(f: FeatureRow, wps: WpRow[]): FeatureJson {
  const work = wps.sort((a, b) => a.wp_id.localeCompare(b.wp_id)).map(presentWp);
  return {
    feature_slug: f.feature_slug === "" ? null : f.feature_slug,
    feature_number: f.feature_number,
    target_branch: f.target_branch,
    wp_count: f.wp_count,
    completed_at: f.completed_at,
    event_count: f.event_count,
    last_change: f.last_change,
    last_activity: f.last_received_at,
    lanes: countLanes(work),
    work_packages: work,
  };
}

function presentWp(w: WpRow): WpJson {
  return {
    wp_id: w.wp_id,
    title: w.title,
    lane: w.lane,
    actor: w.actor ?? null,
    moved_at: w.moved_at ?? null,
    dependencies: w.dependencies,
    event_count: w.event_count,
    last_change: w.last_change,
    last_activity: w.last_received_at,
  };
}

function countLanes(wps: WpJson[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(LANES.map((l) => [l, 0]));
  for (const w of wps) if (w.lane !== null) counts[w.lane] = (counts[w.lane] ?? 0) + 1;
  return counts;
}

function sumLanes(all: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = Object.fromEntries(LANES.map((l) => [l, 0]));
  for (const counts of all) {
    for (const [lane, n] of Object.entries(counts)) total[lane] = (total[lane] ?? 0) + n;
  }
  return total;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
