/** `GET /ws/v1/events/`: the WebSocket upgrade, authorised by a Bearer ws_token. */
import { PATHS } from "../../protocol/paths.ts";
import type { Hono } from "hono";
import type { ServerContext } from "../context.ts";
import { snapshotWorkPackages } from "../view/present.ts";
import { EventSocket } from "../ws/event_socket.ts";
import { authorise } from "./bearer.ts";
import { jsonError, unauthorized } from "./errors.ts";

/** The snapshot covers the team's most recently active projects (bounded work per connect). */
const SNAPSHOT_PROJECTS = 100;

export function registerWsRoute(app: Hono, ctx: ServerContext): void {
  app.get(PATHS.events, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(c, 426, "Upgrade required", "this endpoint only speaks WebSocket");
    }
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "ws");
    if (!auth.ok) return unauthorized(c, auth.reason);
    // Heartbeats are the application's ping/pong frames, so Deno's own idle timeout is off.
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 0 });
    new EventSocket(socket, auth.principal, {
      ingestor: ctx.ingestor,
      hub: ctx.hub,
      snapshot: async (team) =>
        snapshotWorkPackages((await ctx.views.projectPage(team, SNAPSHOT_PROJECTS)).items),
      timings: ctx.timings,
      onError: (err) => ctx.log(`websocket error: ${err instanceof Error ? err.message : err}`),
    });
    return response;
  });
}
