/**
 * The client side of `/ws/v1/events/`: the upgrade with `Authorization: Bearer <ws_token>` and
 * the protocol header, the snapshot the server sends first, event frames out and their acks
 * back (matched by event_id), pings answered, the team's events handed to a listener.
 */
import { eventsSocketUrl } from "../protocol/paths.ts";
import { parseServerFrame } from "../protocol/frames.ts";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "../protocol/version.ts";
import type { PendingEntry } from "../store/outbox.ts";
import type { ServerVerdict } from "./event_transport.ts";
import { TransportError } from "./http.ts";

export interface WsHandlers {
  /** An event the server broadcast (stored by another connection or batch of the team). */
  onEvent?(event: Record<string, unknown>): void;
  /** The socket closed, by either side. */
  onClose?(code: number, reason: string): void;
}

export interface WsOpenOptions {
  /** How long the upgrade and the snapshot may take together, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  handlers?: WsHandlers;
}

const decoder = new TextDecoder();

function verdictOf(status: string, error: string | null): ServerVerdict {
  if (status === "success" || status === "duplicate") return { status };
  return { status: "rejected", reason: error ?? `rejected (status ${JSON.stringify(status)})` };
}

export class WsConnection {
  #open = true;
  readonly #acks = new Map<string, (verdict: ServerVerdict) => void>();
  readonly #closed: Promise<void>;

  private constructor(
    private readonly socket: WebSocket,
    /** The snapshot's `work_packages`. */
    readonly snapshot: unknown[],
    private readonly handlers: WsHandlers,
  ) {
    this.#closed = new Promise((resolve) => {
      socket.addEventListener("close", (e) => {
        this.#open = false;
        this.#acks.clear();
        this.handlers.onClose?.(e.code, e.reason);
        resolve();
      });
    });
    socket.addEventListener("message", (e) => this.#receive(e.data));
  }

  /** Upgrades and waits for the snapshot; rejects with a TransportError when that fails. */
  static open(serverUrl: string, wsToken: string, options: WsOpenOptions): Promise<WsConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(eventsSocketUrl(serverUrl), {
        headers: { authorization: `Bearer ${wsToken}`, [PROTOCOL_HEADER]: PROTOCOL_VERSION },
      });
      const fail = (failure: "network" | "timeout" | "aborted", message: string) => {
        cleanup();
        try {
          socket.close();
        } catch {
          // never opened
        }
        reject(new TransportError(failure, message));
      };
      const timer = setTimeout(
        () => fail("timeout", `no WebSocket snapshot within ${options.timeoutMs} ms`),
        options.timeoutMs,
      );
      const onAbort = () => fail("aborted", "stopped: out of time");
      const onClose = (e: CloseEvent) =>
        fail(
          "network",
          e.code === 1006
            ? "the WebSocket upgrade was refused or the connection failed"
            : `the server closed the WebSocket (${e.code}${e.reason ? ` ${e.reason}` : ""})`,
        );
      const onMessage = (e: MessageEvent) => {
        const frame = parseServerFrame(
          typeof e.data === "string" ? e.data : decoder.decode(e.data),
        );
        if (frame.kind !== "snapshot") {
          const said = frame.kind === "error" ? `: ${frame.error}` : "";
          fail("network", `the server did not start with a snapshot${said}`);
          return;
        }
        cleanup();
        resolve(new WsConnection(socket, frame.workPackages, options.handlers ?? {}));
      };
      const cleanup = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        socket.removeEventListener("close", onClose);
        socket.removeEventListener("message", onMessage);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.addEventListener("close", onClose);
      socket.addEventListener("message", onMessage);
    });
  }

  /** Settles when the socket has closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  get isOpen(): boolean {
    return this.#open && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `entries` as event frames, in order, and waits for their acks: until all arrived,
   * `ackTimeoutMs` passed, the socket closed or `signal` aborted. Returns the verdicts that
   * arrived; an event without one was maybe not stored, and must go again (by HTTP).
   */
  async send(
    entries: readonly PendingEntry[],
    options: { ackTimeoutMs: number; signal?: AbortSignal },
  ): Promise<Map<string, ServerVerdict>> {
    const verdicts = new Map<string, ServerVerdict>();
    if (!this.isOpen) return verdicts;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let waiting = entries.length;
    for (const entry of entries) {
      this.#acks.set(entry.event_id, (verdict) => {
        verdicts.set(entry.event_id, verdict);
        if (--waiting === 0) done();
      });
    }
    for (const entry of entries) this.socket.send(decoder.decode(entry.json));
    const timer = setTimeout(done, options.ackTimeoutMs);
    const onAbort = () => done();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    await Promise.race([finished, this.#closed]);
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    for (const entry of entries) this.#acks.delete(entry.event_id);
    return verdicts;
  }

  /** Closes the socket (normal closure) and waits for it, at most `waitMs`. */
  async close(waitMs = 1_000): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close(1000, "client done");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closed,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  #receive(data: unknown): void {
    const text = typeof data === "string" ? data : decoder.decode(data as ArrayBuffer);
    const frame = parseServerFrame(text);
    switch (frame.kind) {
      case "ack":
        this.#acks.get(frame.eventId)?.(verdictOf(frame.status, frame.error));
        this.#acks.delete(frame.eventId);
        return;
      case "ping":
        if (this.isOpen) {
          this.socket.send(JSON.stringify({ type: "pong", timestamp: frame.timestamp }));
        }
        return;
      case "event":
        this.handlers.onEvent?.(frame.event);
        return;
      default:
        // Later snapshots, pongs, errors about a frame and unknown types change nothing here.
        return;
    }
  }
}
