/** `POST /api/v1/token/`, `/api/v1/token/refresh/`, `/api/v1/ws-token/`. */
import type { Hono } from "hono";
import { TokenRejected } from "../auth/tokens.ts";
import type { ServerContext } from "../context.ts";
import { authorise } from "./bearer.ts";
import { jsonError, unauthorized } from "./errors.ts";
import { readJsonObject } from "./json_body.ts";

export function registerAuthRoutes(app: Hono, ctx: ServerContext): void {
  app.post("/api/v1/token/", async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (!body.ok) return jsonError(c, body.status, body.error, body.details);
    const { username, password } = body.value;
    if (typeof username !== "string" || typeof password !== "string") {
      return jsonError(c, 400, "Malformed body", 'expected {"username": ..., "password": ...}');
    }
    const user = await ctx.users.authenticate(username, password);
    if (!user) return jsonError(c, 401, "Invalid username or password");
    return c.json(await ctx.tokens.login(user));
  });

  app.post("/api/v1/token/refresh/", async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (!body.ok) return jsonError(c, body.status, body.error, body.details);
    const refresh = body.value.refresh;
    if (typeof refresh !== "string") {
      return jsonError(c, 400, "Malformed body", 'expected {"refresh": ...}');
    }
    try {
      return c.json(await ctx.tokens.refresh(refresh));
    } catch (err) {
      if (err instanceof TokenRejected) return unauthorized(c, err.reason);
      throw err;
    }
  });

  app.post("/api/v1/ws-token/", async (c) => {
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    return c.json(await ctx.tokens.wsToken(auth.principal));
  });
}
