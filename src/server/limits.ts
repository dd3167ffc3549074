/**
 * Timings of the reference sync server (DESIGN.md §8), fields of {@link ServerTimings} so tests
 * can shorten them; the defaults are what `kittify serve` uses. The protocol's size limits are in
 * `src/protocol/limits.ts`.
 */

export interface ServerTimings {
  /** Access token lifetime, seconds (the original's 900). */
  accessLifetime: number;
  /** Refresh token lifetime, seconds (the original's 604800, 7 days). */
  refreshLifetime: number;
  /** WebSocket token lifetime, seconds. */
  wsTokenLifetime: number;
  /** Dashboard session lifetime, seconds. */
  sessionLifetime: number;
  /** Interval between server pings on a WebSocket, ms. */
  pingIntervalMs: number;
  /** A socket that has not answered a ping within this time is closed, ms. */
  pongTimeoutMs: number;
  /**
   * How often open sockets and live streams are checked against the users in the store, ms: a
   * removed user's are closed (also when another process, e.g. `serve user remove`, removed it).
   */
  userCheckMs: number;
  /**
   * A WebSocket client with more than 8 MiB of frames still unsent to it that takes none of them
   * for this long has stopped reading and is closed (1008), ms.
   */
  unreadTimeoutMs: number;
  /** A WebSocket whose handshake has not completed after this long is given up, ms. */
  openTimeoutMs: number;
  /**
   * A batch body must have arrived within this long (408 otherwise): a stalled upload would
   * hold its share of the memory budget, ms.
   */
  bodyTimeoutMs: number;
}

export const DEFAULT_TIMINGS: ServerTimings = {
  accessLifetime: 900,
  refreshLifetime: 604_800,
  wsTokenLifetime: 300,
  sessionLifetime: 12 * 3600,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 30_000,
  userCheckMs: 2_000,
  unreadTimeoutMs: 5_000,
  openTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
};
