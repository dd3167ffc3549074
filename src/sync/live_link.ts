/**
 * A WebSocket link to the sync server that stays up: it connects (an access token, a WebSocket
 * token, the upgrade, the snapshot), hands each new connection to its user, and when the
 * connection closes or cannot be made it tries again with backoff and jitter (0.5 s doubling to
 * 30 s), for as long as it runs. It always says what it is doing through `onState`.
 */
import { NotLoggedInError, type Session, SessionExpiredError } from "../auth/session.ts";
import { type AuthApi, AuthRefused } from "../transport/auth_api.ts";
import { WsConnection } from "../transport/ws_connection.ts";
import { backoffDelay } from "./backoff.ts";

export type LinkState =
  | { kind: "connecting" }
  | { kind: "connected"; workPackages: number }
  | { kind: "reconnecting"; inMs: number; reason: string }
  | { kind: "logged_out"; reason: string };

export interface LiveLinkDeps {
  serverUrl: string;
  session: Session;
  api: AuthApi;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** An event the server broadcast (another client of the team stored it). */
  onEvent(event: Record<string, unknown>): void;
  onState(state: LinkState): void;
  /** How long the upgrade and the snapshot may take, ms. */
  openTimeoutMs?: number;
}

/** How often a logged-out link looks for a new login, ms. */
export const LOGGED_OUT_POLL_MS = 2_000;
/** A connection up this long counts as healthy: the reconnect backoff starts over. */
export const STABLE_MS = 10_000;
/** How long a close waits for the server's answer, ms (a server may never give one). */
const CLOSE_WAIT_MS = 100;
const OPEN_TIMEOUT_MS = 10_000;

export class LiveLink {
  #connection: WsConnection | null = null;

  constructor(private readonly deps: LiveLinkDeps) {}

  /** The open connection, if any. */
  get connection(): WsConnection | null {
    return this.#connection?.isOpen ? this.#connection : null;
  }

  /** One attempt to connect; rejects with why it failed. */
  async connect(signal?: AbortSignal): Promise<WsConnection> {
    const { session, api, serverUrl } = this.deps;
    let access = await session.access(signal);
    let token: string;
    try {
      token = await api.wsToken(serverUrl, access, signal);
    } catch (err) {
      if (!(err instanceof AuthRefused) || err.refusal !== "session_refused") throw err;
      access = await session.renew(access, signal);
      token = await api.wsToken(serverUrl, access, signal);
    }
    const connection = await WsConnection.open(serverUrl, token, {
      timeoutMs: this.deps.openTimeoutMs ?? OPEN_TIMEOUT_MS,
      signal,
      handlers: { onEvent: (event) => this.deps.onEvent(event) },
    });
    this.#connection = connection;
    return connection;
  }

  /**
   * Keeps a connection until `signal` aborts: `whileConnected` gets each new connection and
   * should return when it closes (or with why it gave it up); the connection is closed then in
   * any case. Then the link waits (backoff) and connects again. The backoff starts over only
   * after a connection stayed up for {@link STABLE_MS}: a server that accepts and drops at once
   * is not hammered.
   */
  async run(
    signal: AbortSignal,
    whileConnected: (connection: WsConnection) => Promise<string | void>,
  ): Promise<void> {
    const { onState, sleep, random } = this.deps;
    let failures = 0;
    // While logged out the link looks for a login every few seconds, saying so once, not each time.
    let loggedOut: string | null = null;
    while (!signal.aborted) {
      let reason: string;
      if (loggedOut === null) onState({ kind: "connecting" });
      try {
        const connection = await this.connect(signal);
        loggedOut = null;
        const upAt = Date.now();
        onState({ kind: "connected", workPackages: connection.snapshot.length });
        try {
          reason = (await whileConnected(connection)) || "the connection closed";
        } finally {
          await connection.close(CLOSE_WAIT_MS);
        }
        if (Date.now() - upAt >= STABLE_MS) failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof NotLoggedInError || err instanceof SessionExpiredError) {
          if (err.message !== loggedOut) onState({ kind: "logged_out", reason: err.message });
          loggedOut = err.message;
          this.deps.session.forget();
          await sleep(LOGGED_OUT_POLL_MS, signal).catch(() => {});
          continue;
        }
        loggedOut = null;
        reason = err instanceof Error ? err.message : String(err);
      }
      if (signal.aborted) break;
      const delay = backoffDelay(failures++, null, random);
      onState({ kind: "reconnecting", inMs: delay, reason });
      await sleep(delay, signal).catch(() => {});
    }
    await this.#connection?.close(CLOSE_WAIT_MS);
    this.#connection = null;
  }
}
