/** The values stored in the outbox. */
import type { Envelope } from "../events/types.ts";
import type { OutboxState } from "./keys.ts";

/** An outbox entry: the event plus its bookkeeping. */
export interface OutboxRecord {
  event: Envelope;
  /** When it was stored (ms since the epoch). */
  enqueued_at: number;
  /** Size of the event's JSON encoding (UTF-8 bytes). */
  bytes: number;
  /** Delivery attempts that the server rejected (poison strikes). */
  attempts: number;
  /** Why the server rejected it (dead letters), most recent last. */
  errors: string[];
}

/** The value under `indexKey(event_id)`. */
export interface IndexEntry {
  state: OutboxState;
  seq: number;
}
