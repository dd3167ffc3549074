/**
 * Delivering events over the WebSocket: frames out, acks back. An event whose ack does not come
 * within {@link ACK_TIMEOUT_MS} gets no verdict: it stays in the outbox and goes by HTTP later
 * (the server drops it there if it had arrived), so a server that never acks loses nothing.
 */
import type { PendingEntry } from "../store/outbox.ts";
import type { DeliveryAnswer, EventTransport } from "./event_transport.ts";
import type { WsConnection } from "./ws_connection.ts";

/** How long an ack may take after the last frame of a group went out. */
export const ACK_TIMEOUT_MS = 5_000;

export class WsTransport implements EventTransport {
  constructor(
    /** The connection in use now (null while there is none). */
    private readonly connection: () => WsConnection | null,
    private readonly ackTimeoutMs = ACK_TIMEOUT_MS,
  ) {}

  async send(
    entries: readonly PendingEntry[],
    _access: string,
    signal?: AbortSignal,
  ): Promise<DeliveryAnswer> {
    const socket = this.connection();
    if (!socket?.isOpen) {
      return { kind: "retry", reason: "the WebSocket is not open", retryAfterMs: null };
    }
    const verdicts = await socket.send(entries, { ackTimeoutMs: this.ackTimeoutMs, signal });
    if (verdicts.size === 0 && !socket.isOpen) {
      return { kind: "retry", reason: "the WebSocket closed", retryAfterMs: null };
    }
    return { kind: "results", verdicts };
  }
}
