/**
 * Events in Deno KV: project ownership (the first team to send a project_uuid owns it), dedup by
 * event_id within the team, and the materialised view. The events and the view rows they change
 * are written in one atomic commit per chunk (chunks.ts), so an event is stored once and the view
 * always matches the stored events.
 *
 * Dedup is optimistic. The versionstamps of the batch's projects' view rows are taken first
 * (from the cache, or loaded), then the batch's ids are looked up (stored_ids.ts), and each
 * commit checks those versionstamps (as advanced by this batch's own earlier commits), plus the
 * absence of every owner key it claims. A view reloaded later (after a conflict) means a fresh
 * lookup for the chunks that use it. Every commit that stores an event of a project rewrites that
 * project's row, so the same event stored by anyone else after the lookup makes the commit fail;
 * the views are reloaded, the ids looked up again, and the event is reported as a duplicate. Two
 * requests, or two server processes sharing one store, therefore never both store an event. (The
 * one race left open: two *different* envelopes of one team reusing one event_id in two of its
 * projects at the same instant. A per-event check would close it but caps a commit at 100
 * events, Deno KV's limit on checks; this way a commit carries up to ~900.)
 *
 * The caller (ingest/ingest.ts) holds the batch's projects, so the view cache of a project is
 * only used by one request at a time.
 */
import { retryLocked } from "../../../store/retry.ts";
import { type EventResult, ownershipError } from "../../../protocol/results.ts";
import type { Candidate } from "../../ingest/candidate.ts";
import type { StoredEvent } from "../../ingest/stored_event.ts";
import { applyToFeature, applyToProject, applyToWp, rowTargets } from "../../view/rows.ts";
import type { FeatureRow, ProjectRow, WpRow } from "../../view/rows.ts";
import type { EventStore } from "../server_store.ts";
import { splitIntoChunks } from "./chunks.ts";
import { activityKey, eventKey, featureRowKey, ownerKey, projectRowKey, wpRowKey } from "./keys.ts";
import { storedIds } from "./stored_ids.ts";
import { type ProjectView, ViewCache, wpMapKey } from "./view_cache.ts";

const MAX_COMMIT_ATTEMPTS = 20;
const MAX_CACHED_OWNERS = 100_000;

export class KvEventStore implements EventStore {
  private readonly ownerCache = new Map<string, string>();
  private readonly views: ViewCache;

  constructor(private readonly kv: Deno.Kv) {
    this.views = new ViewCache(kv);
  }

  /** Ownership, dedup and the commits, with the batch's projects held (see the header). */
  async store(
    team: string,
    screened: readonly Candidate[],
    results: EventResult[],
    receivedAt: string,
  ): Promise<void> {
    const owners = await this.ownersOf(screened.map((c) => c.event.project_uuid!));
    const candidates = screened.filter((c) => {
      const owner = owners.get(c.event.project_uuid!);
      if (owner === undefined || owner === team) return true;
      results[c.index] = rejected(c, ownershipError(team));
      return false;
    });

    // Views first, then one lookup for the whole batch (see the header for why the order).
    const views = await this.viewsOf(team, candidates);
    const fresh = await this.withoutStored(team, candidates, results);
    for (const chunk of splitIntoChunks(fresh)) {
      await this.commit(team, chunk, results, views, receivedAt);
    }
  }

  owners(projects: readonly string[]): Promise<Map<string, string>> {
    return this.ownersOf([...projects]);
  }

  /** Owner team per project (absent: nobody owns it yet). Owners never change, so they cache. */
  private async ownersOf(projects: string[]): Promise<Map<string, string>> {
    const unknown = [...new Set(projects)].filter((p) => !this.ownerCache.has(p));
    for (let i = 0; i < unknown.length; i += 10) {
      const keys = unknown.slice(i, i + 10).map(ownerKey);
      for (const entry of await this.kv.getMany<string[]>(keys)) {
        if (entry.value !== null) this.remember(String(entry.key[1]), entry.value);
      }
    }
    return this.ownerCache;
  }

  private remember(project: string, team: string): void {
    if (this.ownerCache.size >= MAX_CACHED_OWNERS) this.ownerCache.clear();
    this.ownerCache.set(project, team);
  }

  /**
   * Commits one chunk. `checked` are the views whose versionstamps were taken before the ids of
   * the chunk were looked up; if a view had to be (re)loaded since, the ids are looked up again.
   */
  private async commit(
    team: string,
    chunk: Candidate[],
    results: EventResult[],
    checked: Map<string, ProjectView>,
    receivedAt: string,
  ): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_COMMIT_ATTEMPTS) {
        throw new Error(`could not commit ${pending.length} events: the store kept conflicting`);
      }
      const views = await this.viewsOf(team, pending);
      if ([...views].some(([project, view]) => checked.get(project) !== view)) {
        pending = await this.withoutStored(team, pending, results);
        if (pending.length === 0) return;
      }
      const draft = this.draft(pending, views, receivedAt);
      const op = this.kv.atomic();
      for (const project of draft.newOwners) {
        op.check({ key: ownerKey(project), versionstamp: null }).set(ownerKey(project), team);
      }
      for (const c of pending) {
        const record: StoredEvent = { envelope: c.stored, team, received_at: receivedAt };
        op.set(eventKey(team, c.event.event_id), record);
      }
      for (const d of draft.projects.values()) writeProject(op, d);
      let result: Deno.KvCommitResult | Deno.KvCommitError;
      try {
        result = await retryLocked(() => op.commit());
      } catch (err) {
        if (!isTooLarge(err) || pending.length < 2) throw err;
        // The size estimate was short (unusually big rows): commit the halves separately.
        const half = Math.ceil(pending.length / 2);
        await this.commit(team, pending.slice(0, half), results, checked, receivedAt);
        await this.commit(team, pending.slice(half), results, checked, receivedAt);
        return;
      }
      if (result.ok) {
        for (const c of pending) {
          results[c.index] = { event_id: c.event.event_id, status: "success" };
        }
        for (const project of draft.newOwners) this.remember(project, team);
        for (const d of draft.projects.values()) this.views.put(merge(d, result.versionstamp));
        return;
      }
      pending = await this.resolveConflict(team, pending, draft, results);
    }
  }

  /** The cached views of the projects of `pending`. */
  private async viewsOf(team: string, pending: Candidate[]): Promise<Map<string, ProjectView>> {
    const views = new Map<string, ProjectView>();
    for (const c of pending) {
      const project = c.event.project_uuid!;
      if (!views.has(project)) views.set(project, await this.views.get(team, project));
    }
    return views;
  }

  /** Drops (and reports as duplicates) the events the team has already stored. */
  private async withoutStored(
    team: string,
    pending: Candidate[],
    results: EventResult[],
  ): Promise<Candidate[]> {
    const stored = await storedIds(this.kv, team, pending.map((c) => c.event.event_id));
    return pending.filter((c) => {
      if (!stored.has(c.event.event_id)) return true;
      results[c.index] = { event_id: c.event.event_id, status: "duplicate" };
      return false;
    });
  }

  /** Folds the pending events into copies of the affected view rows. */
  private draft(
    pending: Candidate[],
    views: Map<string, ProjectView>,
    receivedAt: string,
  ): Draft {
    const draft: Draft = { projects: new Map(), newOwners: [] };
    for (const c of pending) {
      const project = c.event.project_uuid!;
      let d = draft.projects.get(project);
      if (!d) {
        if (!this.ownerCache.has(project)) draft.newOwners.push(project);
        const base = views.get(project)!;
        d = { base, project: base.project, features: new Map(), wps: new Map() };
        draft.projects.set(project, d);
      }
      d.project = applyToProject(d.project, c.event, d.base.team, receivedAt);
      const { feature, wp } = rowTargets(c.event);
      if (feature === undefined) continue;
      const fRow = d.features.get(feature) ?? d.base.features.get(feature);
      d.features.set(feature, applyToFeature(fRow, c.event, feature, receivedAt));
      if (wp === undefined) continue;
      const wKey = wpMapKey(feature, wp);
      const wRow = d.wps.get(wKey) ?? d.base.wps.get(wKey);
      d.wps.set(wKey, applyToWp(wRow, c.event, feature, wp, receivedAt));
    }
    return draft;
  }

  /**
   * After a failed commit: forgets the views that may be stale and rejects the events of projects
   * another team claimed meanwhile. The next attempt reloads the views and looks the ids up again
   * (events stored meanwhile become duplicates).
   */
  private async resolveConflict(
    team: string,
    pending: Candidate[],
    draft: Draft,
    results: EventResult[],
  ): Promise<Candidate[]> {
    for (const project of draft.projects.keys()) this.views.drop(team, project);
    const owners = await this.ownersOf(draft.newOwners);
    return pending.filter((c) => {
      const owner = owners.get(c.event.project_uuid!);
      if (owner === undefined || owner === team) return true;
      results[c.index] = rejected(c, ownershipError(team));
      return false;
    });
  }
}

/** The new rows of one project, on top of its cached view. */
interface ProjectDraft {
  base: ProjectView;
  project: ProjectRow | undefined;
  features: Map<string, FeatureRow>;
  /** Keyed by {@link wpMapKey}. */
  wps: Map<string, WpRow>;
}

interface Draft {
  projects: Map<string, ProjectDraft>;
  /** Projects this chunk claims for the team (nobody owned them when it was drafted). */
  newOwners: string[];
}

function writeProject(op: Deno.AtomicOperation, d: ProjectDraft): void {
  const { team, projectUuid, versionstamp } = d.base;
  op.check({ key: projectRowKey(team, projectUuid), versionstamp });
  op.set(projectRowKey(team, projectUuid), d.project);
  // The checked row says where the project was in the activity index: move it.
  const before = d.base.project?.last_received_at;
  const after = d.project?.last_received_at;
  if (before !== undefined && before !== after) op.delete(activityKey(team, before, projectUuid));
  if (d.project) op.set(activityKey(team, d.project.last_received_at, projectUuid), d.project);
  for (const row of d.features.values()) {
    op.set(featureRowKey(team, projectUuid, row.feature_slug), row);
  }
  for (const row of d.wps.values()) {
    op.set(wpRowKey(team, projectUuid, row.feature_slug, row.wp_id), row);
  }
}

/** The cached view after a successful commit (updated in place: the cache owns it). */
function merge(d: ProjectDraft, versionstamp: string): ProjectView {
  const view = d.base;
  view.versionstamp = versionstamp;
  view.project = d.project;
  for (const [slug, row] of d.features) view.features.set(slug, row);
  for (const [key, row] of d.wps) view.wps.set(key, row);
  return view;
}

/** Deno KV's refusal of a commit over its size or count limits. */
function isTooLarge(err: unknown): boolean {
  return err instanceof TypeError && /too large|too many/i.test(err.message);
}

function rejected(c: Candidate, error: string): EventResult {
  return { event_id: c.event.event_id, status: "rejected", error };
}
