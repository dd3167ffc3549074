/**
 * The HTTP application. Routing is Hono's (a small, widely used router with strict trailing-slash
 * matching, which the protocol's paths need); each group of routes lives in its own file.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { PATHS } from "../../protocol/paths.ts";
import { PROTOCOL_HEADER, unsupportedVersion } from "../../protocol/version.ts";
import type { ServerContext } from "../context.ts";
import { registerAuthRoutes } from "./auth_routes.ts";
import { registerBatchRoute } from "./batch_route.ts";
import { registerDashboardRoutes } from "./dashboard_routes.ts";
import { jsonError } from "./errors.ts";
import { registerProjectRoutes } from "./projects_routes.ts";
import { registerWsRoute } from "./ws_route.ts";

export function buildApp(ctx: ServerContext): Hono {
  const app = new Hono({ strict: true });

  // One log line per request: method, path (never the query string), status, duration. The path
  // stays percent-encoded, so a request cannot put a line break (a forged line) into the log.
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const ms = (performance.now() - started).toFixed(1);
    ctx.log(`${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${ms}ms`);
  });

  // A client speaking another protocol version is told so before anything else happens.
  app.use("/api/*", protocolGuard);
  app.use("/ws/*", protocolGuard);

  app.get(PATHS.health, (c) => c.json({ status: "ok" }));
  registerAuthRoutes(app, ctx);
  registerBatchRoute(app, ctx);
  registerProjectRoutes(app, ctx);
  registerWsRoute(app, ctx);
  registerDashboardRoutes(app, ctx);

  app.notFound((c) => jsonError(c, 404, "Not found", `${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    ctx.log(`internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return jsonError(c, 500, "Internal server error");
  });
  return app;
}

const protocolGuard: MiddlewareHandler = async (c, next) => {
  const problem = unsupportedVersion(c.req.header(PROTOCOL_HEADER));
  if (problem) return jsonError(c, 412, "Unsupported sync protocol version", problem);
  await next();
  return undefined;
};
