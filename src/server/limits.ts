/**
 * Protocol limits and timings of the reference sync server (DESIGN.md §8). Timings are fields of
 * {@link ServerTimings} so tests can shorten them; the defaults are what `kittify serve` uses.
 */

/** Most events one `POST /api/v1/events/batch/` may carry (the client's batch size). */
export const MAX_BATCH_EVENTS = 1000;
/** Largest request body on the wire (gzip or identity). */
export const MAX_WIRE_BODY_BYTES = 8 * 1024 * 1024;
/** Largest body after gzip decoding; decoding stops as soon as it is exceeded. */
export const MAX_DECODED_BODY_BYTES = 32 * 1024 * 1024;
/** Largest JSON body of the small auth endpoints. */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;
/** Largest WebSocket frame; a bigger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

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
}

export const DEFAULT_TIMINGS: ServerTimings = {
  accessLifetime: 900,
  refreshLifetime: 604_800,
  wsTokenLifetime: 300,
  sessionLifetime: 12 * 3600,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 30_000,
};
