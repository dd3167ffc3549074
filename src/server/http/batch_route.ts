/** `POST /api/v1/events/batch/`: gzip or identity `{"events": [...]}` → per-event results. */
import type { Hono } from "hono";
import { PATHS } from "../../protocol/paths.ts";
import type { ServerContext } from "../context.ts";
import { readBody } from "../ingest/body.ts";
import { batchResultJson } from "../../protocol/results.ts";
import {
  MAX_BATCH_EVENTS,
  MAX_DECODED_BODY_BYTES,
  MAX_WIRE_BODY_BYTES,
} from "../../protocol/limits.ts";
import { authorise } from "./bearer.ts";
import { jsonError, unauthorized } from "./errors.ts";
import type { BudgetClaim } from "../memory_budget.ts";
import { bodyError, type JsonBody, parseJsonObject } from "./json_body.ts";

export function registerBatchRoute(app: Hono, ctx: ServerContext): void {
  app.post(PATHS.batch, async (c) => {
    // Authenticate before reading (or decompressing) a single byte of the body.
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    // The body's bytes are claimed from the server's memory budget as they arrive, and held
    // until the request is answered.
    const claim = ctx.budget.claim(auth.principal.username);
    try {
      const batch = await readBatch(c.req.raw, claim, ctx.timings.bodyTimeoutMs);
      if (!batch.ok) {
        if (batch.retryAfter !== undefined) c.header("Retry-After", String(batch.retryAfter));
        return jsonError(c, batch.status, batch.error, batch.details);
      }
      const team = auth.principal.team;
      const outcome = await ctx.ingestor.ingest(team, batch.events);
      ctx.hub.publish(team, outcome.accepted);
      return c.json({ results: outcome.results.map(batchResultJson) });
    } finally {
      claim.release();
    }
  });
}

type Batch = { ok: true; events: unknown[] } | Extract<JsonBody, { ok: false }>;

/**
 * The batch's events, or why there are none. The body's text is gone once this returns: only the
 * parsed events stay in memory while they are stored.
 */
async function readBatch(
  request: Request,
  claim: BudgetClaim,
  deadlineMs: number,
): Promise<Batch> {
  let text: string;
  try {
    text = await readBody(request, {
      wireBytes: MAX_WIRE_BODY_BYTES,
      decodedBytes: MAX_DECODED_BODY_BYTES,
      claim: (bytes) => claim.grow(bytes),
      deadlineMs,
    });
  } catch (err) {
    return bodyError(err);
  }
  const body = parseJsonObject(text);
  if (!body.ok) return body;
  const events = body.value.events;
  if (!Array.isArray(events)) {
    return {
      ok: false,
      status: 400,
      error: "Malformed body",
      details: 'expected {"events": [...]}',
    };
  }
  if (events.length > MAX_BATCH_EVENTS) {
    return {
      ok: false,
      status: 413,
      error: "Too many events",
      details: `${events.length} events in one batch; the limit is ${MAX_BATCH_EVENTS}`,
    };
  }
  return { ok: true, events };
}
