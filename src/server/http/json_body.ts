/** Reading a small JSON request body (the auth endpoints). */
import { MAX_AUTH_BODY_BYTES } from "../../protocol/limits.ts";
import {
  BadBody,
  BodyInterrupted,
  BodyTimeout,
  BodyTooLarge,
  readBody,
  ServerBusy,
  UnsupportedEncoding,
} from "../ingest/body.ts";

export type JsonBody =
  | { ok: true; value: Record<string, unknown> }
  | {
    ok: false;
    status: 400 | 408 | 413 | 415 | 503;
    error: string;
    details: string;
    /** Seconds the client should wait before trying again (a 503 of the memory budget). */
    retryAfter?: number;
  };

export async function readJsonObject(
  request: Request,
  limit = MAX_AUTH_BODY_BYTES,
): Promise<JsonBody> {
  let text: string;
  try {
    text = await readBody(request, { wireBytes: limit, decodedBytes: limit });
  } catch (err) {
    return bodyError(err);
  }
  return parseJsonObject(text);
}

export function parseJsonObject(text: string): JsonBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      status: 400,
      error: "Malformed JSON body",
      details: (err as Error).message,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, status: 400, error: "Malformed body", details: "expected a JSON object" };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Maps a readBody failure to a response; rethrows anything unexpected. */
export function bodyError(err: unknown): Extract<JsonBody, { ok: false }> {
  if (err instanceof BodyTooLarge) {
    return { ok: false, status: 413, error: "Request body too large", details: err.message };
  }
  if (err instanceof UnsupportedEncoding) {
    return { ok: false, status: 415, error: "Unsupported Content-Encoding", details: err.message };
  }
  if (err instanceof BodyTimeout) {
    // Like a 5xx, a 408 is retried by clients as a transport failure.
    return { ok: false, status: 408, error: "Request body timeout", details: err.message };
  }
  if (err instanceof ServerBusy) {
    return { ok: false, status: 503, error: "Server busy", details: err.message, retryAfter: 1 };
  }
  if (err instanceof BodyInterrupted) {
    // A 5xx: clients retry it as a transport failure (a 400 would count against the events).
    return { ok: false, status: 503, error: "Request body interrupted", details: err.message };
  }
  if (err instanceof BadBody) {
    return { ok: false, status: 400, error: "Unreadable body", details: err.message };
  }
  throw err;
}
