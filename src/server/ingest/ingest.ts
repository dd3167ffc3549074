/**
 * Ingestion: the one path by which events enter the store, shared by the batch endpoint and the
 * WebSocket, whatever the storage engine. Each event is screened (screen.ts: validation, a
 * project_uuid); repeats inside one request share the fate of their first occurrence; then the
 * store (storage/server_store.ts) does ownership, dedup and the view in its own commits.
 *
 * Within a process, requests are serialised per project only (keyed_locks.ts): a batch waits for
 * the projects it names, so one team's large uploads never hold up another team's, and a store's
 * per-project caches are only ever used by one request at a time. Projects another team owns are
 * not waited for (those events are rejected without waiting). Screening yields to the event loop
 * every few milliseconds, so a large batch does not stall other requests either.
 */
import type { Envelope } from "../../events/types.ts";
import type { EventResult } from "../../protocol/results.ts";
import type { EventStore } from "../storage/server_store.ts";
import type { Candidate } from "./candidate.ts";
import { KeyedLocks } from "./keyed_locks.ts";
import { screenEvent } from "./screen.ts";

export interface IngestOutcome {
  /** One result per item, in request order. */
  results: EventResult[];
  /** Events stored by this call (status success), in request order. */
  accepted: Envelope[];
}

/** Screening hands the event loop back after this long (ms). */
const SCREEN_SLICE_MS = 8;

export class Ingestor {
  private readonly locks = new KeyedLocks();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly events: EventStore, private readonly now: () => number = Date.now) {}

  ingest(team: string, items: readonly unknown[]): Promise<IngestOutcome> {
    const run = this.run(team, items);
    const tracked = run.catch(() => {}).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return run;
  }

  /** Resolves when every ingest call made so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private async run(team: string, items: readonly unknown[]): Promise<IngestOutcome> {
    const results: EventResult[] = new Array(items.length);
    const firstIndex = new Map<string, number>();
    const repeats: Array<[index: number, first: number]> = [];
    const screened: Candidate[] = [];
    let slice = performance.now();
    for (let index = 0; index < items.length; index++) {
      if (performance.now() - slice > SCREEN_SLICE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        slice = performance.now();
      }
      const s = screenEvent(items[index]);
      if (!s.ok) {
        results[index] = { event_id: s.eventId, status: "rejected", error: s.error };
        continue;
      }
      const first = firstIndex.get(s.event.event_id);
      if (first !== undefined) {
        repeats.push([index, first]);
        continue;
      }
      firstIndex.set(s.event.event_id, index);
      screened.push({ index, event: s.event, stored: s.stored });
    }

    if (screened.length > 0) {
      const projects = screened.map((c) => c.event.project_uuid!);
      const owners = await this.events.owners([...new Set(projects)]);
      const ours = projects.filter((project) => {
        const owner = owners.get(project);
        return owner === undefined || owner === team;
      });
      await this.locks.withAll(ours, () => {
        const receivedAt = new Date(this.now()).toISOString();
        return this.events.store(team, screened, results, receivedAt);
      });
    }

    // A repeat inside one request is a duplicate of its first occurrence (or shares its fate).
    for (const [index, first] of repeats) {
      const original = results[first];
      results[index] = original.status === "rejected"
        ? { ...original }
        : { event_id: original.event_id, status: "duplicate" };
    }
    const accepted = screened.filter((c) => results[c.index].status === "success")
      .map((c) => c.event);
    return { results, accepted };
  }
}
