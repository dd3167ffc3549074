/**
 * Limits of the sync protocol, shared by the client (which stays within them) and the server
 * (which enforces them). The user store's own per-commit limits are a different thing: see
 * `src/store/kv_limits.ts`.
 */

/** Most events one `POST /api/v1/events/batch/` may carry. */
export const MAX_BATCH_EVENTS = 1000;
/** Largest request body on the wire (gzip or identity). */
export const MAX_WIRE_BODY_BYTES = 8 * 1024 * 1024;
/**
 * Largest batch body after gzip decoding; the server stops decoding past it and answers 413, and
 * a client halves its batch. Each decoded byte costs the server a few more while it is parsed and
 * stored, so this bounds its memory per batch (kittify's client sends at most 4 MiB).
 */
export const MAX_DECODED_BODY_BYTES = 16 * 1024 * 1024;
/** Largest JSON body of the small auth endpoints. */
export const MAX_AUTH_BODY_BYTES = 16 * 1024;
/** Largest WebSocket frame; a bigger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
