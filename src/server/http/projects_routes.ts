/**
 * `GET /api/v1/projects/?limit=N&cursor=C`: the team's projects in brief, most recently active
 * first, a page at a time (`next_cursor` until the last page); `/api/v1/projects/<uuid>/`: one
 * project's materialised view in full.
 */
import { PATHS } from "../../protocol/paths.ts";
import type { Hono } from "hono";
import type { ServerContext } from "../context.ts";
import { authorise } from "./bearer.ts";
import { isProjectUuid } from "../../events/validate.ts";
import { jsonError, unauthorized } from "./errors.ts";
import { paged } from "./paging.ts";

export function registerProjectRoutes(app: Hono, ctx: ServerContext): void {
  app.get(PATHS.projects, async (c) => {
    const auth = await authorise(ctx.tokens, c.req.header("authorization"), "access");
    if (!auth.ok) return unauthorized(c, auth.reason);
    return await paged(c, async (limit, cursor) => {
      const page = await ctx.views.summaries(auth.principal.team, limit, cursor);
      return { team: auth.principal.team, projects: page.items, next_cursor: page.next_cursor };
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
