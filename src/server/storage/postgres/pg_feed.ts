/**
 * Live fan-out across server processes on one PostgreSQL database. Every transaction that stores
 * events notifies `kittify_events` with its transaction id (pg_events.ts); each process LISTENs,
 * reads the rows of transactions it did not run itself (`WHERE txid = …`: exactly that commit's
 * events, in order), and hands them to its own sockets and streams. A notification carries only
 * the id (payloads are small and not replayed).
 *
 * Nothing is lost when the listening connection drops. A horizon is kept: every transaction
 * with an id below it is known to be handled. It is moved up every few seconds to the oldest
 * transaction that was still running one step before (`pg_snapshot_xmin`), so every commit
 * below it has long been notified. When the connection comes back, the events of transactions
 * at or above the horizon that were not handled yet are read and delivered. Transaction ids
 * order transactions by start, not commit, which is why the horizon, unlike a sequence number,
 * never passes a transaction that commits later. Notifications and catch-ups are handled one
 * at a time, in arrival order.
 */
import type { Sql } from "postgres";
import type { Envelope } from "../../../events/types.ts";
import type { StoredEventFeed } from "../server_store.ts";
import { EVENTS_CHANNEL } from "./pg_events.ts";

type Listener = (team: string, events: Envelope[]) => void;

/** How often the horizon moves up (it trails the oldest running transaction by one step). */
const HORIZON_STEP_MS = 5_000;
/** Handled transactions remembered at most (those below the horizon are forgotten anyway). */
const MAX_HANDLED = 100_000;

interface Row {
  txid: string;
  team: string;
  envelope: string;
}

export class PostgresEventFeed implements StoredEventFeed {
  /** Transactions handled at or above the horizon: this process's own, and delivered ones. */
  private readonly handled = new Set<string>();
  private horizon = 0n;
  private nextHorizon: bigint | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Called by the event store before its transaction commits: its events went out here. */
  markOwn(txid: string): void {
    this.remember(txid);
  }

  async follow(listener: Listener): Promise<() => Promise<void>> {
    this.horizon = await this.oldestRunning();
    // The first call of onlisten is the subscription itself: catching up then covers what
    // committed between reading the horizon and listening; later calls follow reconnects.
    const subscription = await this.sql.listen(
      EVENTS_CHANNEL,
      (payload) => this.enqueue(() => this.onNotify(payload, listener)),
      () => this.enqueue(() => this.catchUp(listener)),
    );
    const timer = setInterval(() => this.enqueue(() => this.moveHorizon()), HORIZON_STEP_MS);
    return async () => {
      clearInterval(timer);
      await subscription.unlisten();
      await this.queue;
    };
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch(this.onError);
  }

  private async onNotify(payload: string, listener: Listener): Promise<void> {
    if (!/^\d+$/.test(payload)) return;
    if (BigInt(payload) < this.horizon || this.handled.has(payload)) return;
    const rows = await this.sql<Row[]>`
      SELECT txid::text AS txid, team, envelope FROM events
      WHERE txid = ${payload}::xid8 ORDER BY seq`;
    this.deliver(rows, listener);
  }

  /** The events of transactions at or above the horizon that were not handled yet. */
  private async catchUp(listener: Listener): Promise<void> {
    const rows = await this.sql<Row[]>`
      SELECT txid::text AS txid, team, envelope FROM events
      WHERE txid >= ${this.horizon.toString()}::xid8 ORDER BY txid, seq`;
    this.deliver(rows.filter((r) => !this.handled.has(r.txid)), listener);
  }

  /** Moves the horizon to where the oldest running transaction was one step ago. */
  private async moveHorizon(): Promise<void> {
    const now = await this.oldestRunning();
    if (this.nextHorizon !== undefined && this.nextHorizon > this.horizon) {
      this.horizon = this.nextHorizon;
      for (const txid of this.handled) {
        if (BigInt(txid) < this.horizon) this.handled.delete(txid);
      }
    }
    this.nextHorizon = now;
  }

  private async oldestRunning(): Promise<bigint> {
    const [{ xmin }] = await this.sql<{ xmin: string }[]>`
      SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`;
    return BigInt(xmin);
  }

  /** Hands rows to the listener, one call per run of consecutive rows of one team. */
  private deliver(rows: Row[], listener: Listener): void {
    let team: string | undefined;
    let events: Envelope[] = [];
    for (const row of rows) {
      this.remember(row.txid);
      if (row.team !== team && events.length > 0) {
        listener(team!, events);
        events = [];
      }
      team = row.team;
      events.push(JSON.parse(row.envelope));
    }
    if (events.length > 0) listener(team!, events);
  }

  private remember(txid: string): void {
    if (this.handled.has(txid)) return;
    if (this.handled.size >= MAX_HANDLED) {
      this.handled.delete(this.handled.values().next().value!);
    }
    this.handled.add(txid);
  }
}
