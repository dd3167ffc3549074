/**
 * Live fan-out across server processes on one PostgreSQL database. Every commit that stores
 * events notifies `kittify_events` with the range of sequence numbers it stored (pg_events.ts);
 * each process LISTENs, reads the rows of ranges other processes stored, and hands them to its
 * own sockets and streams. A notification carries only the range (payloads are small and not
 * replayed); after the listening connection comes back, the rows stored meanwhile are read from
 * the last sequence number seen. Notifications are handled one at a time, in arrival order.
 */
import type { Sql } from "postgres";
import type { Envelope } from "../../../events/types.ts";
import type { StoredEventFeed } from "../server_store.ts";
import { EVENTS_CHANNEL } from "./pg_events.ts";

type Listener = (team: string, events: Envelope[]) => void;

/** Rows read per query while catching up. */
const CATCH_UP_PAGE = 1000;
/** Own commits remembered at most (a commit that never notified would otherwise stay). */
const MAX_OWN = 10_000;

export class PostgresEventFeed implements StoredEventFeed {
  /** Notification payloads of this process's own commits: their events went out already. */
  private readonly own = new Set<string>();
  private lastSeq = 0n;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Called by the event store just before it commits (the notification comes after). */
  markOwn(payload: string): void {
    if (this.own.size >= MAX_OWN) this.own.clear();
    this.own.add(payload);
  }

  async follow(listener: Listener): Promise<() => Promise<void>> {
    const [{ seq }] = await this.sql<{ seq: string }[]>`
      SELECT coalesce(max(seq), 0)::text AS seq FROM events`;
    this.lastSeq = BigInt(seq);
    let listening = false;
    const subscription = await this.sql.listen(
      EVENTS_CHANNEL,
      (payload) => this.enqueue(() => this.onNotify(payload, listener)),
      () => {
        // The first call is the subscription itself; later ones follow a reconnect.
        if (listening) this.enqueue(() => this.catchUp(listener));
        listening = true;
      },
    );
    return async () => {
      await subscription.unlisten();
      await this.queue;
    };
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch(this.onError);
  }

  private async onNotify(payload: string, listener: Listener): Promise<void> {
    const match = /^(\d+)-(\d+)$/.exec(payload);
    if (!match) return;
    const [first, last] = [BigInt(match[1]), BigInt(match[2])];
    if (last > this.lastSeq) this.lastSeq = last;
    if (this.own.delete(payload)) return;
    const rows = await this.sql<{ team: string; envelope: string }[]>`
      SELECT team, envelope FROM events
      WHERE seq BETWEEN ${first.toString()}::bigint AND ${last.toString()}::bigint ORDER BY seq`;
    publish(rows, listener);
  }

  /** Events stored while the listening connection was down (not this process's own). */
  private async catchUp(listener: Listener): Promise<void> {
    for (;;) {
      const rows = await this.sql<{ seq: string; team: string; envelope: string }[]>`
        SELECT seq::text AS seq, team, envelope FROM events
        WHERE seq > ${this.lastSeq.toString()}::bigint ORDER BY seq LIMIT ${CATCH_UP_PAGE}`;
      if (rows.length === 0) return;
      this.lastSeq = BigInt(rows.at(-1)!.seq);
      const ownRanges = [...this.own].map((p) => p.split("-").map(BigInt));
      publish(
        rows.filter((r) => {
          const seq = BigInt(r.seq);
          return !ownRanges.some(([a, b]) => seq >= a && seq <= b);
        }),
        listener,
      );
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }
}

/** Hands rows to the listener, one call per run of consecutive rows of one team. */
function publish(rows: { team: string; envelope: string }[], listener: Listener): void {
  let team: string | undefined;
  let events: Envelope[] = [];
  for (const row of rows) {
    if (row.team !== team && events.length > 0) {
      listener(team!, events);
      events = [];
    }
    team = row.team;
    events.push(JSON.parse(row.envelope));
  }
  if (events.length > 0) listener(team!, events);
}
