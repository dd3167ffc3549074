/** JSON error responses in the shape the spec-kitty client parses: `{"error", "details"?}`. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  details?: unknown,
): Response {
  const body = details === undefined ? { error } : { error, details };
  return c.json(body, status);
}

/** 401 with the challenge header. */
export function unauthorized(c: Context, reason: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="kittify"');
  return jsonError(c, 401, "Authentication failed", reason);
}
