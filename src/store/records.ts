/** The values stored in the outbox. */
import type { Envelope } from "../events/types.ts";
import type { OutboxState } from "./keys.ts";

/**
 * An outbox entry as stored. The event is kept as its UTF-8 JSON bytes, so the stored size is
 * exactly the size the 60 KiB rule checks (a V8-serialised string can take twice as much).
 */
export interface StoredRecord {
  event_id: string;
  event_type: string;
  /** The envelope as UTF-8 JSON. */
  json: Uint8Array;
  /** When it was stored (ms since the epoch). */
  enqueued_at: number;
  /** Size of `json`. */
  bytes: number;
  /** Delivery attempts that the server rejected (poison strikes). */
  attempts: number;
  /** Why the server rejected it (dead letters), most recent last. */
  errors: string[];
}

/** A page of the synced log: delivered events with their Lamport values, oldest first. */
export interface SyncedPage {
  seqs: number[];
  records: StoredRecord[];
}

/** A stored entry with its event decoded. */
export interface OutboxRecord extends Omit<StoredRecord, "json"> {
  event: Envelope;
}

/** The value under `indexKey(event_id)`. */
export interface IndexEntry {
  state: OutboxState;
  seq: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeRecord(event: Envelope, enqueuedAt: number): StoredRecord {
  const json = encoder.encode(JSON.stringify(event));
  return {
    event_id: event.event_id,
    event_type: event.event_type,
    json,
    enqueued_at: enqueuedAt,
    bytes: json.length,
    attempts: 0,
    errors: [],
  };
}

/** Decodes a stored entry. Undecodable JSON yields an event holding only its id and type, which
 * validation then reports as broken. */
export function decodeRecord(stored: StoredRecord): OutboxRecord {
  const { json, ...meta } = stored;
  let event: Envelope;
  try {
    event = JSON.parse(decoder.decode(json));
  } catch {
    event = { event_id: stored.event_id, event_type: stored.event_type } as Envelope;
  }
  return { ...meta, event };
}
