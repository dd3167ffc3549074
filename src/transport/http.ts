/**
 * One HTTP exchange of the sync protocol: the protocol header on every request, a time limit, an
 * outer abort signal (the exit budget), and failures to reach the server turned into
 * {@link TransportError} with a short human reason. Answers of any status are returned, never
 * thrown: what a status means is for the caller. Redirects are never followed: a request body
 * (a password, a refresh token, events) only ever goes to the URL it was meant for.
 */
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "../protocol/version.ts";

export type TransportFailure =
  /** Connection refused, reset, DNS, TLS: the server was not reached or hung up. */
  | "network"
  /** The request's own time limit passed. */
  | "timeout"
  /** The caller's signal ended the request (e.g. the exit budget ran out). */
  | "aborted";

export class TransportError extends Error {
  constructor(readonly failure: TransportFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON (null when empty). */
  body: unknown;
}

export interface HttpRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: BodyInit;
  /** This request's own time limit. */
  timeoutMs: number;
  /** Ends the request early (e.g. the exit budget). */
  signal?: AbortSignal;
}

/** A `fetch` that can be replaced (tests, TLS clients). */
export type Fetch = typeof fetch;

export async function exchange(
  fetcher: Fetch,
  url: string,
  request: HttpRequest,
): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    const response = await fetcher(url, {
      method: request.method,
      headers: { [PROTOCOL_HEADER]: PROTOCOL_VERSION, ...request.headers },
      body: request.body,
      redirect: "manual",
      signal,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text) };
  } catch (err) {
    if (request.signal?.aborted) {
      throw new TransportError("aborted", "stopped: out of time", { cause: err });
    }
    if (timeout.aborted) {
      throw new TransportError(
        "timeout",
        `no answer within ${formatMs(request.timeoutMs)}`,
        { cause: err },
      );
    }
    throw new TransportError("network", networkReason(err), { cause: err });
  }
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The reason given for a TLS failure (for hints: see {@link isTlsReason}). */
const TLS_REASON = "TLS error: the server's certificate is not trusted";

export function isTlsReason(reason: string): boolean {
  return reason === TLS_REASON;
}

/** "connection refused", "connection reset", ... from Deno's fetch error text. */
export function networkReason(err: unknown): string {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : String(err);
  const lower = text.toLowerCase();
  const known: Array<[RegExp, string]> = [
    [/connection refused|econnrefused/, "connection refused"],
    [/connection reset|econnreset|broken pipe/, "connection reset"],
    [/dns error|failed to lookup|name or service not known|nodename nor servname/, "unknown host"],
    [/certificate|tls|ssl/, TLS_REASON],
    [/connection closed|unexpected eof|incomplete message|channel closed/, "connection closed"],
  ];
  for (const [pattern, reason] of known) if (pattern.test(lower)) return reason;
  const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  return first.length > 160 ? `${first.slice(0, 159)}…` : first;
}

/** "redirects to <Location>" for a 3xx answer, else null. */
export function redirectProblem(answer: HttpAnswer): string | null {
  if (answer.status < 300 || answer.status >= 400) return null;
  const to = answer.headers.get("location");
  return `the server redirects (HTTP ${answer.status})${to ? ` to ${to}` : ""}; kittify does ` +
    "not follow redirects: set `[sync] server_url` to the final address";
}

/** The `error` (and `details`) of a JSON error body, as one line. */
export function errorText(body: unknown, fallback: string): string {
  if (typeof body === "string" && body.trim() !== "") return body.trim().slice(0, 300);
  if (typeof body !== "object" || body === null) return fallback;
  const { error, detail, details } = body as Record<string, unknown>;
  const head = typeof error === "string" ? error : typeof detail === "string" ? detail : fallback;
  return typeof details === "string" && details !== "" ? `${head}: ${details}` : head;
}

/** Retry-After in ms (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
