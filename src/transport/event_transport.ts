/**
 * The interface every way of delivering events implements (HTTP batches here; the WebSocket path
 * builds on it): send some pending events, get back what the server said, classified so the
 * uploader can act on it without knowing HTTP.
 */
import type { PendingEntry } from "../store/outbox.ts";

export type ServerVerdict =
  | { status: "success" }
  | { status: "duplicate" }
  | { status: "rejected"; reason: string };

/** What one attempt to deliver a group of events came to. */
export type DeliveryAnswer =
  /** A verdict per event the server named; events it left out are untouched. */
  | { kind: "results"; verdicts: Map<string, ServerVerdict> }
  /** The whole group was refused because of the named events (e.g. fixture 05); the others
   * were not stored and can be sent again without them. */
  | { kind: "named_rejections"; rejected: Map<string, string>; error: string }
  /** The whole group was refused without saying which event is at fault (400). */
  | { kind: "bad_request"; error: string }
  /** Too large for the server (413). */
  | { kind: "too_large"; error: string }
  /** The access token was refused (401). */
  | { kind: "unauthorized"; error: string }
  /** Worth retrying later: network failure, timeout, 408, 429, 5xx, an unreadable answer. */
  | { kind: "retry"; reason: string; retryAfterMs: number | null }
  /** Nothing to retry until someone acts: 403, 412, another 4xx. */
  | { kind: "stop"; reason: string; category: StopCategory; hint: string };

export type StopCategory = "forbidden" | "unsupported_protocol" | "misconfigured";

export interface EventTransport {
  /** Sends `entries` (oldest first) with `access`; resolves with the classified answer. */
  send(
    entries: readonly PendingEntry[],
    access: string,
    signal?: AbortSignal,
  ): Promise<DeliveryAnswer>;
}
