/** `GET /api/v1/projects/` and `/api/v1/projects/<uuid>/`: the team's materialised view. */
import { PATHS } from "../../protocol/paths.ts";
import type { Hono } from "hono";
import type { ServerContext } from "../context.ts";
import { authorise } from "./bearer.ts";
import { isProjectUuid } from "../../events/validate.ts";
import { jsonError, unauthorized } from "./errors.ts";

export function registerProjectRoutes(app: Hono, ctx: ServerContext): void {
  app.get(PATHS.projects, async (c) => {
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    return c.json({
      team: auth.principal.team,
      projects: await ctx.views.projects(auth.principal.team),
    });
  });

  app.get(`${PATHS.projects}:uuid/`, async (c) => {
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    // Only a project_uuid can name a project: anything else (a 5,000-character path segment
    // would not even fit a store key) is unknown, never looked up.
    const uuid = c.req.param("uuid");
    const project = isProjectUuid(uuid)
      ? await ctx.views.project(auth.principal.team, uuid)
      : undefined;
    // Another team's project is indistinguishable from an unknown one.
    if (!project) return jsonError(c, 404, "Not found", "no such project for your team");
    return c.json(project);
  });
}
