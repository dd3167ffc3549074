/**
 * Events in PostgreSQL: one transaction per batch claims the projects' ownership, inserts the
 * events with one multi-row `INSERT … ON CONFLICT DO NOTHING` (dedup by the unique (team,
 * event_id)), and folds the new ones into the view rows they change (view/rows.ts), read and
 * written with one statement per table — no query per event. Several server processes share the
 * database safely:
 *
 * - ownership: `INSERT … ON CONFLICT DO NOTHING` then a read; a racing claim waits for the first
 *   one's commit and loses to it, so each project has exactly one owner;
 * - the view: a row lock on each of the batch's projects' owner rows, taken in sorted order,
 *   serialises the read-fold-write of a project's rows across processes;
 * - a deadlock or serialisation failure is retried as a whole (nothing of it was stored).
 *
 * The commit notifies `kittify_events` with its transaction id, for the other processes' live
 * fan-out (pg_feed.ts).
 */
import type { Sql, TransactionSql } from "postgres";
import type { Envelope } from "../../../events/types.ts";
import { type EventResult, ownershipError } from "../../../protocol/results.ts";
import type { Candidate } from "../../ingest/candidate.ts";
import {
  applyToFeature,
  applyToProject,
  applyToWp,
  type FeatureRow,
  type ProjectRow,
  rowTargets,
  type WpRow,
} from "../../view/rows.ts";
import type { EventStore } from "../server_store.ts";

export const EVENTS_CHANNEL = "kittify_events";

const MAX_ATTEMPTS = 8;
/** SQLSTATEs after which a whole transaction may simply run again. */
const RETRYABLE = new Set(["40P01", "40001"]);

const decoder = new TextDecoder();

export class PostgresEventStore implements EventStore {
  constructor(
    private readonly sql: Sql,
    /** Told the transaction id of each commit that stores events, before it commits. */
    private readonly onCommit: (txid: string) => void = () => {},
  ) {}

  async owners(projects: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.sql<{ project_uuid: string; team: string }[]>`
      SELECT project_uuid, team FROM owners WHERE project_uuid = ANY(${[...projects]}::text[])`;
    return new Map(rows.map((r) => [r.project_uuid, r.team]));
  }

  async store(
    team: string,
    candidates: readonly Candidate[],
    results: EventResult[],
    receivedAt: string,
  ): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        const outcome = await this.sql.begin((tx) =>
          this.storeIn(tx, team, candidates, receivedAt)
        );
        for (const [index, result] of outcome) results[index] = result;
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw err;
      }
    }
  }

  private async storeIn(
    tx: TransactionSql,
    team: string,
    candidates: readonly Candidate[],
    receivedAt: string,
  ): Promise<Map<number, EventResult>> {
    const outcome = new Map<number, EventResult>();
    const projects = [...new Set(candidates.map((c) => c.event.project_uuid!))].sort();
    await tx`
      INSERT INTO owners (project_uuid, team)
      SELECT p, ${team} FROM unnest(${projects}::text[]) AS p
      ON CONFLICT (project_uuid) DO NOTHING`;
    const owners = new Map(
      (await tx<{ project_uuid: string; team: string }[]>`
        SELECT project_uuid, team FROM owners WHERE project_uuid = ANY(${projects}::text[])`)
        .map((r) => [r.project_uuid, r.team]),
    );
    const mine: Candidate[] = [];
    for (const c of candidates) {
      if (owners.get(c.event.project_uuid!) === team) mine.push(c);
      else outcome.set(c.index, rejected(c, ownershipError(team)));
    }
    if (mine.length === 0) return outcome;

    // The view's read-fold-write of a project is serialised across processes by locking the
    // project's owner row (row locks, unlike advisory locks, do not fill PostgreSQL's shared lock
    // table however many projects a batch names), in sorted order against deadlocks.
    const ours = projects.filter((p) => owners.get(p) === team);
    await tx`
      SELECT project_uuid FROM owners WHERE project_uuid = ANY(${ours}::text[])
      ORDER BY project_uuid FOR UPDATE`;

    mine.sort((a, b) => (a.event.event_id < b.event.event_id ? -1 : 1));
    // One JSON parameter rather than three text arrays: postgres.js escapes array elements in
    // JavaScript, which costs more than the insert itself for a batch of long envelopes.
    const rows = JSON.stringify(
      mine.map((c) => [c.event.event_id, c.event.project_uuid!, envelopeText(c.stored)]),
    );
    const inserted = await tx<{ event_id: string; txid: string }[]>`
      INSERT INTO events (team, event_id, project_uuid, envelope, received_at)
      SELECT ${team}, r->>0, r->>1, r->>2, ${receivedAt}::timestamptz
      FROM json_array_elements((${rows}::text)::json) AS r
      ON CONFLICT (team, event_id) DO NOTHING
      RETURNING event_id, txid::text AS txid`;
    const stored = new Set(inserted.map((r) => r.event_id));
    const fresh: Envelope[] = [];
    for (const c of mine) {
      const id = c.event.event_id;
      if (stored.has(id)) fresh.push(c.event);
      outcome.set(c.index, { event_id: id, status: stored.has(id) ? "success" : "duplicate" });
    }
    if (fresh.length === 0) return outcome;

    const txid = inserted[0].txid;
    this.onCommit(txid);
    // Delivered at commit, whenever it is sent within the transaction.
    await Promise.all([
      this.foldIntoView(tx, team, fresh, receivedAt),
      tx`SELECT pg_notify(${EVENTS_CHANNEL}, ${txid})`,
    ]);
    return outcome;
  }

  /** Reads the rows the events change, folds the events in, writes the rows back. */
  private async foldIntoView(
    tx: TransactionSql,
    team: string,
    events: Envelope[],
    receivedAt: string,
  ): Promise<void> {
    const projectIds = [...new Set(events.map((e) => e.project_uuid!))];
    const featureKeys = new Map<string, [string, string]>();
    const wpKeys = new Map<string, [string, string, string]>();
    for (const e of events) {
      const { feature, wp } = rowTargets(e);
      if (feature === undefined) continue;
      featureKeys.set(key(e.project_uuid!, feature), [e.project_uuid!, feature]);
      if (wp !== undefined) {
        wpKeys.set(key(e.project_uuid!, feature, wp), [e.project_uuid!, feature, wp]);
      }
    }
    const fk = [...featureKeys.values()];
    const wk = [...wpKeys.values()];
    const [projectRows, featureRows, wpRows] = await Promise.all([
      tx<{ row: string }[]>`
        SELECT row FROM view_projects
        WHERE team = ${team} AND project_uuid = ANY(${projectIds}::text[])`,
      fk.length === 0 ? [] : tx<{ row: string }[]>`
        SELECT f.row FROM view_features AS f
        JOIN unnest(${fk.map((k) => k[0])}::text[], ${fk.map((k) => k[1])}::text[]) AS t(p, s)
          ON f.project_uuid = t.p AND f.feature_slug = t.s
        WHERE f.team = ${team}`,
      wk.length === 0 ? [] : tx<{ row: string }[]>`
        SELECT w.row FROM view_work_packages AS w
        JOIN unnest(
          ${wk.map((k) => k[0])}::text[], ${wk.map((k) => k[1])}::text[],
          ${wk.map((k) => k[2])}::text[]
        ) AS t(p, s, w)
          ON w.project_uuid = t.p AND w.feature_slug = t.s AND w.wp_id = t.w
        WHERE w.team = ${team}`,
    ]);
    const projects = new Map<string, ProjectRow>();
    for (const r of projectRows) {
      const row: ProjectRow = JSON.parse(r.row);
      projects.set(row.project_uuid, row);
    }
    const features = new Map<string, FeatureRow>();
    for (const r of featureRows) {
      const row: FeatureRow = JSON.parse(r.row);
      features.set(key(row.project_uuid, row.feature_slug), row);
    }
    const wps = new Map<string, WpRow>();
    for (const r of wpRows) {
      const row: WpRow = JSON.parse(r.row);
      wps.set(key(row.project_uuid, row.feature_slug, row.wp_id), row);
    }
    for (const e of events) {
      const project = e.project_uuid!;
      projects.set(project, applyToProject(projects.get(project), e, team, receivedAt));
      const { feature, wp } = rowTargets(e);
      if (feature === undefined) continue;
      const fKey = key(project, feature);
      features.set(fKey, applyToFeature(features.get(fKey), e, feature, receivedAt));
      if (wp === undefined) continue;
      const wKey = key(project, feature, wp);
      wps.set(wKey, applyToWp(wps.get(wKey), e, feature, wp, receivedAt));
    }
    const p = [...projects.values()];
    const f = fk.map(([project, slug]) => features.get(key(project, slug))!);
    const w = wk.map(([project, slug, id]) => wps.get(key(project, slug, id))!);
    // Three independent upserts, sent together (postgres.js pipelines them on the connection).
    const writes: Promise<unknown>[] = [];
    writes.push(tx`
      INSERT INTO view_projects (team, project_uuid, last_received_at, row)
      SELECT ${team}, p, l, r FROM unnest(
        ${p.map((r) => r.project_uuid)}::text[], ${p.map((r) => r.last_received_at)}::text[],
        ${p.map((r) => JSON.stringify(r))}::text[]
      ) AS t(p, l, r)
      ON CONFLICT (team, project_uuid)
      DO UPDATE SET last_received_at = EXCLUDED.last_received_at, row = EXCLUDED.row`);
    if (f.length > 0) {
      writes.push(tx`
        INSERT INTO view_features (team, project_uuid, feature_slug, row)
        SELECT ${team}, p, s, r FROM unnest(
          ${f.map((r) => r.project_uuid)}::text[], ${f.map((r) => r.feature_slug)}::text[],
          ${f.map((r) => JSON.stringify(r))}::text[]
        ) AS t(p, s, r)
        ON CONFLICT (team, project_uuid, feature_slug) DO UPDATE SET row = EXCLUDED.row`);
    }
    if (w.length > 0) {
      writes.push(tx`
        INSERT INTO view_work_packages (team, project_uuid, feature_slug, wp_id, row)
        SELECT ${team}, p, s, i, r FROM unnest(
          ${w.map((r) => r.project_uuid)}::text[], ${w.map((r) => r.feature_slug)}::text[],
          ${w.map((r) => r.wp_id)}::text[], ${w.map((r) => JSON.stringify(r))}::text[]
        ) AS t(p, s, i, r)
        ON CONFLICT (team, project_uuid, feature_slug, wp_id) DO UPDATE SET row = EXCLUDED.row`);
    }
    await Promise.all(writes);
  }
}

function envelopeText(stored: string | Uint8Array): string {
  return typeof stored === "string" ? stored : decoder.decode(stored);
}

function key(...parts: string[]): string {
  return parts.join("\u0000");
}

function rejected(c: Candidate, error: string): EventResult {
  return { event_id: c.event.event_id, status: "rejected", error };
}
