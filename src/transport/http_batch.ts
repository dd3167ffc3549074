/**
 * Delivering events over HTTP: `POST /api/v1/events/batch/`, gzip JSON `{"events": [...]}` built
 * straight from the stored JSON of each event, and the answer classified (reference §8.2):
 * per-event results, a 400 naming the events at fault (fixture 05), or a whole-batch status.
 */
import { endpoint, PATHS } from "../protocol/paths.ts";
import type { PendingEntry } from "../store/outbox.ts";
import type { DeliveryAnswer, EventTransport, ServerVerdict } from "./event_transport.ts";
import {
  errorText,
  exchange,
  type Fetch,
  type HttpAnswer,
  redirectProblem,
  retryAfterMs,
  TransportError,
} from "./http.ts";

/** A batch request waits at most this long (spec-kitty: 60 s). */
export const BATCH_TIMEOUT_MS = 60_000;

const encoder = new TextEncoder();
const OPEN = encoder.encode('{"events":[');
const COMMA = encoder.encode(",");
const CLOSE = encoder.encode("]}");

/** `{"events":[...]}` from the entries' stored JSON, without re-encoding any event. */
export function batchBody(entries: readonly PendingEntry[]): Uint8Array<ArrayBuffer> {
  const size = OPEN.length + CLOSE.length + entries.reduce((n, e) => n + e.json.length, 0) +
    Math.max(0, entries.length - 1);
  const body = new Uint8Array(size);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    body.set(bytes, at);
    at += bytes.length;
  };
  put(OPEN);
  entries.forEach((e, i) => {
    if (i > 0) put(COMMA);
    put(e.json);
  });
  put(CLOSE);
  return body;
}

export async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export class HttpBatchTransport implements EventTransport {
  constructor(
    private readonly serverUrl: string,
    private readonly fetcher: Fetch = fetch,
    private readonly timeoutMs = BATCH_TIMEOUT_MS,
  ) {}

  async send(
    entries: readonly PendingEntry[],
    access: string,
    signal?: AbortSignal,
  ): Promise<DeliveryAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await exchange(this.fetcher, endpoint(this.serverUrl, PATHS.batch), {
        method: "POST",
        headers: {
          authorization: `Bearer ${access}`,
          "content-type": "application/json",
          "content-encoding": "gzip",
        },
        body: await gzip(batchBody(entries)),
        timeoutMs: this.timeoutMs,
        signal,
      });
    } catch (err) {
      if (err instanceof TransportError && err.failure !== "aborted") {
        return { kind: "retry", reason: err.message, retryAfterMs: null };
      }
      throw err;
    }
    return classifyBatchAnswer(answer, entries);
  }
}

/** What an HTTP answer to a batch means (pure). */
export function classifyBatchAnswer(
  answer: HttpAnswer,
  entries: readonly PendingEntry[],
): DeliveryAnswer {
  const { status, body } = answer;
  if (status === 200) return perEventResults(body);
  const redirected = redirectProblem(answer);
  if (redirected) {
    return {
      kind: "stop",
      category: "misconfigured",
      reason: redirected,
      hint: "check `[sync] server_url` (`kittify sync server`)",
    };
  }
  const error = errorText(body, `HTTP ${status}`);
  if (status === 400) {
    return namedRejections(body, entries, error) ?? { kind: "bad_request", error };
  }
  if (status === 401) return { kind: "unauthorized", error };
  if (status === 413) return { kind: "too_large", error };
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: "retry",
      reason: `HTTP ${status}: ${error}`,
      retryAfterMs: retryAfterMs(answer.headers),
    };
  }
  if (status === 403) {
    return {
      kind: "stop",
      category: "forbidden",
      reason: `the server refused the upload (HTTP 403: ${error})`,
      hint: "check that your account belongs to the team that owns this project",
    };
  }
  if (status === 412) {
    return {
      kind: "stop",
      category: "unsupported_protocol",
      reason: `the server does not speak this sync protocol: ${error}`,
      hint: "use a kittify release that speaks the server's protocol version",
    };
  }
  return {
    kind: "stop",
    category: "misconfigured",
    reason: `unexpected answer from the sync server (HTTP ${status}: ${error})`,
    hint: "check `[sync] server_url` (`kittify sync server`)",
  };
}

function perEventResults(body: unknown): DeliveryAnswer {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) {
    return { kind: "retry", reason: "the server's answer had no results", retryAfterMs: null };
  }
  const verdicts = new Map<string, ServerVerdict>();
  for (const item of results) {
    if (typeof item !== "object" || item === null) continue;
    const { event_id: id, status, error_message: message, error } = item as Record<string, unknown>;
    if (typeof id !== "string" || verdicts.has(id)) continue;
    if (status === "success" || status === "duplicate") {
      verdicts.set(id, { status });
    } else {
      const reason = typeof message === "string" && message !== ""
        ? message
        : typeof error === "string" && error !== ""
        ? error
        : `rejected (status ${JSON.stringify(status)})`;
      verdicts.set(id, { status: "rejected", reason });
    }
  }
  return { kind: "results", verdicts };
}

/** A 400 whose `details` name events of this batch (a list, or a JSON string of one). */
function namedRejections(
  body: unknown,
  entries: readonly PendingEntry[],
  error: string,
): DeliveryAnswer | null {
  let details = (body as { details?: unknown } | null)?.details;
  if (typeof details === "string") {
    try {
      details = JSON.parse(details);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(details)) return null;
  const ids = new Set(entries.map((e) => e.event_id));
  const top = (body as { error?: unknown }).error;
  const rejected = new Map<string, string>();
  for (const item of details) {
    if (typeof item !== "object" || item === null) continue;
    const { event_id: id, error: e, reason } = item as Record<string, unknown>;
    if (typeof id !== "string" || !ids.has(id)) continue;
    const text = typeof e === "string" && e !== ""
      ? e
      : typeof reason === "string" && reason !== ""
      ? reason
      : typeof top === "string"
      ? top
      : "rejected";
    rejected.set(id, text);
  }
  return rejected.size > 0 ? { kind: "named_rejections", rejected, error } : null;
}
