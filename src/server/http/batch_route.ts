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
import { bodyError, parseJsonObject } from "./json_body.ts";

export function registerBatchRoute(app: Hono, ctx: ServerContext): void {
  app.post(PATHS.batch, async (c) => {
    // Authenticate before reading (or decompressing) a single byte of the body.
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    let text: string;
    try {
      text = await readBody(c.req.raw, {
        wireBytes: MAX_WIRE_BODY_BYTES,
        decodedBytes: MAX_DECODED_BODY_BYTES,
      });
    } catch (err) {
      const e = bodyError(err);
      return jsonError(c, e.status, e.error, e.details);
    }
    const body = parseJsonObject(text);
    if (!body.ok) return jsonError(c, body.status, body.error, body.details);
    const events = body.value.events;
    if (!Array.isArray(events)) {
      return jsonError(c, 400, "Malformed body", 'expected {"events": [...]}');
    }
    if (events.length > MAX_BATCH_EVENTS) {
      return jsonError(
        c,
        413,
        "Too many events",
        `${events.length} events in one batch; the limit is ${MAX_BATCH_EVENTS}`,
      );
    }
    const team = auth.principal.team;
    const outcome = await ctx.ingestor.ingest(team, events);
    ctx.hub.publish(team, outcome.accepted);
    return c.json({ results: outcome.results.map(batchResultJson) });
  });
}
