/** `POST /api/v1/token/`, `/token/refresh/`, `/token/revoke/` and `/api/v1/ws-token/`. */
import type { Hono } from "hono";
import { PATHS } from "../../protocol/paths.ts";
import { TokenRejected } from "../auth/tokens.ts";
import type { ServerContext } from "../context.ts";
import { authorise } from "./bearer.ts";
import { jsonError, unauthorized } from "./errors.ts";
import { readJsonObject } from "./json_body.ts";

export function registerAuthRoutes(app: Hono, ctx: ServerContext): void {
  app.post(PATHS.token, async (c) => {
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

  app.post(PATHS.refresh, async (c) => {
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

  // Logout: revokes the login's refresh family. Like RFC 7009, an unknown or invalid token is
  // not an error (there is nothing left to revoke), so the answer does not reveal validity.
  app.post(PATHS.revoke, async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (!body.ok) return jsonError(c, body.status, body.error, body.details);
    const refresh = body.value.refresh;
    if (typeof refresh !== "string") {
      return jsonError(c, 400, "Malformed body", 'expected {"refresh": ...}');
    }
    await ctx.tokens.revoke(refresh);
    return c.json({ revoked: true });
  });

  app.post(PATHS.wsToken, async (c) => {
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    return c.json(await ctx.tokens.wsToken(auth.principal));
  });
}
