/**
 * One WebSocket of `/ws/v1/events/`: snapshot first, then client frames are ingested in arrival
 * order and each event is acknowledged; the server pings and closes a socket that stops
 * answering; events other connections store for the team are pushed as `{"type":"event"}`.
 *
 * Frames that arrive while earlier ones are being stored queue up and are stored together (one
 * ingest call), which is what makes WebSocket ingestion fast; acks still go out one per frame
 * and in order.
 */
import type { Principal } from "../auth/tokens.ts";
import { utf8Length } from "../../common/utf8.ts";
import type { Broadcast, Hub, Subscriber } from "../hub.ts";
import type { BudgetClaim, MemoryBudget } from "../memory_budget.ts";
import type { Ingestor } from "../ingest/ingest.ts";
import type { ServerTimings } from "../limits.ts";
import {
  ackFrame,
  errorFrame,
  frameTooLarge,
  parseClientFrame,
  pingFrame,
  pongFrame,
} from "../../protocol/frames.ts";

export interface SocketDeps {
  ingestor: Ingestor;
  hub: Hub;
  /** The snapshot's `work_packages` for a team. */
  snapshot(team: string): Promise<unknown[]>;
  timings: ServerTimings;
  /** Frames waiting to be stored are claimed from the server's memory budget. */
  budget: MemoryBudget;
  /** Called once when the socket is closed, whoever closed it. */
  onClosed(): void;
  /** Reports an unexpected failure (the socket is closed with 1011). */
  onError(err: unknown): void;
}

/** Close codes used by the server. */
export const CLOSE = {
  GOING_AWAY: 1001,
  /** The client sent far more than it waited acks for, or stopped reading. */
  POLICY: 1008,
  INTERNAL_ERROR: 1011,
  TOO_BIG: 1009,
  /** No pong within the timeout (application range, after HTTP 408). */
  PONG_TIMEOUT: 4408,
  /** The server's memory budget is used up: send later, or by HTTP (RFC 6455 "try again later"). */
  TRY_AGAIN_LATER: 1013,
  /** The user was removed: log in again (application range, after HTTP 401). */
  USER_REMOVED: 4401,
} as const;

const MAX_FRAMES_PER_INGEST = 1000;
/** Characters of unprocessed frames a client may have queued (it should wait for acks). */
const MAX_INBOX_CHARS = 16 * 1024 * 1024;
/**
 * A client has stopped reading when more than this is still queued for it and nothing of it was
 * sent for `timings.unreadTimeoutMs`; a reading client may be this far behind for a while (one
 * large broadcast, up to a 16 MiB batch, is queued at once). Checked before each group of frames
 * and with every heartbeat.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Beyond this much unsent data the socket is closed at once, reading or not (memory). */
const HARD_MAX_UNSENT_BYTES = 32 * 1024 * 1024;

export class EventSocket implements Subscriber {
  private readonly team: string;
  private readonly inbox: string[] = [];
  private inboxChars = 0;
  private readonly claim: BudgetClaim;
  /** Broadcasts that arrive before the snapshot went out wait here. */
  private early: Broadcast[] | undefined = [];
  private draining = false;
  private closed = false;
  private pingTimer?: ReturnType<typeof setInterval>;
  private openTimer?: ReturnType<typeof setTimeout>;
  /** UTF-8 bytes handed to the socket so far (bufferedAmount counts bytes too). */
  private queuedBytes = 0;
  /** Since when the client is behind without taking anything, and how much it had taken. */
  private behind?: { since: number; taken: number };
  private pongDeadline?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly deps: SocketDeps,
  ) {
    this.team = principal.team;
    this.claim = deps.budget.claim(principal.username);
    socket.binaryType = "arraybuffer"; // binary frames are read as UTF-8 JSON too
    // A client that hangs up during the handshake may leave a socket that never opens nor
    // closes: give up on it, so it does not hold its user's place (socket_quota.ts) forever.
    this.openTimer = setTimeout(
      () => this.shut(CLOSE.POLICY, "the handshake did not complete"),
      deps.timings.openTimeoutMs,
    );
    socket.onopen = () => this.open();
    socket.onmessage = (e) => this.receive(e.data);
    socket.onclose = () => this.cleanup();
    socket.onerror = () => this.cleanup();
  }

  deliver(broadcast: Broadcast): void {
    if (this.early) {
      this.early.push(broadcast);
      return;
    }
    if (this.congested()) return;
    for (const frame of broadcast.frames()) this.send(frame);
  }

  close(): void {
    this.shut(CLOSE.GOING_AWAY, "server shutting down");
  }

  revoke(): void {
    this.shut(CLOSE.USER_REMOVED, "user removed; log in again");
  }

  private async open(): Promise<void> {
    clearTimeout(this.openTimer);
    if (this.closed) return;
    // Subscribe before reading the snapshot, so nothing stored in between is missed.
    this.deps.hub.add(this);
    try {
      const workPackages = await this.deps.snapshot(this.team);
      this.send(JSON.stringify({ type: "snapshot", work_packages: workPackages }));
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.closed) return; // closed while the snapshot was read: start no timer
    const early = this.early ?? [];
    this.early = undefined;
    for (const broadcast of early) this.deliver(broadcast);
    this.pingTimer = setInterval(() => this.ping(), this.deps.timings.pingIntervalMs);
    this.drain();
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    if (typeof data !== "string" && !(data instanceof ArrayBuffer)) return;
    if (frameTooLarge(data)) {
      this.shut(CLOSE.TOO_BIG, "frame larger than 64 KiB");
      return;
    }
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    if (!this.claim.grow(text.length)) {
      this.shut(CLOSE.TRY_AGAIN_LATER, "server busy; send these events later or by HTTP batch");
      return;
    }
    this.inboxChars += text.length;
    if (this.inboxChars > MAX_INBOX_CHARS) {
      this.shut(CLOSE.POLICY, "too many frames waiting for acks");
      return;
    }
    this.inbox.push(text);
    this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining || this.early) return;
    this.draining = true;
    try {
      while (this.inbox.length > 0 && !this.closed) {
        const frames = this.inbox.splice(0, MAX_FRAMES_PER_INGEST);
        let chars = 0;
        for (const frame of frames) chars += frame.length;
        this.inboxChars -= chars;
        try {
          await this.process(frames);
        } finally {
          this.claim.shrink(chars);
        }
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.draining = false;
    }
  }

  /** Handles frames in order: replies and acks go out in the order the frames came in. */
  private async process(frames: string[]): Promise<void> {
    const replies: Array<string | number> = [];
    const events: unknown[] = [];
    for (const text of frames) {
      const frame = parseClientFrame(text);
      switch (frame.kind) {
        case "event":
          replies.push(events.length);
          events.push(frame.event);
          break;
        case "pong":
          clearTimeout(this.pongDeadline);
          this.pongDeadline = undefined;
          break;
        case "ping":
          replies.push(pongFrame(frame.timestamp));
          break;
        case "invalid":
          replies.push(errorFrame(frame.error));
          break;
      }
    }
    const outcome = events.length > 0
      ? await this.deps.ingestor.ingest(this.team, events)
      : { results: [], accepted: [] };
    // What was stored reaches the team whatever becomes of this socket (closed meanwhile, or
    // congested because its client stopped reading).
    this.deps.hub.publish(this.team, outcome.accepted, this);
    if (this.closed || this.congested()) return;
    for (const reply of replies) {
      this.send(typeof reply === "number" ? ackFrame(outcome.results[reply]) : reply);
    }
  }

  private ping(): void {
    if (this.congested()) return;
    this.send(pingFrame(new Date()));
    this.pongDeadline ??= setTimeout(
      () => this.shut(CLOSE.PONG_TIMEOUT, "no pong in time"),
      this.deps.timings.pongTimeoutMs,
    );
  }

  private send(text: string): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(text);
    this.queuedBytes += utf8Length(text);
  }

  /**
   * Closes a socket whose client stopped reading (but may still answer pings), so the server
   * does not buffer every broadcast for it. True if it was closed.
   */
  private congested(): boolean {
    const unsent = this.socket.bufferedAmount;
    if (unsent <= MAX_UNSENT_BYTES) {
      this.behind = undefined;
      return false;
    }
    // What the client has taken so far.
    const taken = this.queuedBytes - unsent;
    const now = Date.now();
    if (unsent <= HARD_MAX_UNSENT_BYTES) {
      if (!this.behind || taken > this.behind.taken) {
        this.behind = { since: now, taken };
        return false;
      }
      if (now - this.behind.since < this.deps.timings.unreadTimeoutMs) return false;
    }
    this.shut(CLOSE.POLICY, "too much unread data: the client stopped reading");
    return true;
  }

  private fail(err: unknown): void {
    this.deps.onError(err);
    this.send(errorFrame("internal server error; send these events with the batch endpoint"));
    this.shut(CLOSE.INTERNAL_ERROR, "internal error");
  }

  private shut(code: number, reason: string): void {
    if (this.closed) return;
    this.cleanup();
    try {
      this.socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  private cleanup(): void {
    if (!this.closed) this.deps.onClosed();
    this.closed = true;
    clearTimeout(this.openTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
    this.pongDeadline = undefined;
    this.inbox.length = 0;
    this.inboxChars = 0;
    this.claim.release();
    this.deps.hub.remove(this);
  }
}
