/** `GET /ws/v1/events/`: the WebSocket upgrade, authorised by a Bearer ws_token. */
import { PATHS } from "../../protocol/paths.ts";
import type { Hono } from "hono";
import type { ServerContext } from "../context.ts";
import { snapshotWorkPackages } from "../view/present.ts";
import { EventSocket } from "../ws/event_socket.ts";
import { MAX_SOCKETS_PER_USER } from "../ws/socket_quota.ts";
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
    const { username } = auth.principal;
    if (!ctx.sockets.take(username)) {
      c.header("Retry-After", "30");
      return jsonError(
        c,
        429,
        "Too many connections",
        `at most ${MAX_SOCKETS_PER_USER} WebSockets per user; events can still be sent by HTTP batch`,
      );
    }
    // Heartbeats are the application's ping/pong frames, so Deno's own idle timeout is off.
    let upgraded: ReturnType<typeof Deno.upgradeWebSocket>;
    try {
      upgraded = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 0 });
    } catch (err) {
      ctx.sockets.give(username);
      throw err;
    }
    const { socket, response } = upgraded;
    new EventSocket(socket, auth.principal, {
      onClosed: () => ctx.sockets.give(username),
      ingestor: ctx.ingestor,
      hub: ctx.hub,
      snapshot: async (team) =>
        snapshotWorkPackages((await ctx.views.projectPage(team, SNAPSHOT_PROJECTS)).items),
      timings: ctx.timings,
      budget: ctx.budget,
      onError: (err) => ctx.log(`websocket error: ${err instanceof Error ? err.message : err}`),
    });
    return response;
  });
}
