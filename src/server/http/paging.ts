/** `?limit=N&cursor=C` on a listing route: parsed, and a bad value answered 400 (never a 500). */
import type { Context } from "hono";
import { BadPageRequest, DEFAULT_PAGE_SIZE, pageSize } from "../view/page.ts";
import { jsonError } from "./errors.ts";

export async function paged(
  c: Context,
  read: (limit: number, cursor: string | undefined) => Promise<unknown>,
  defaultSize = DEFAULT_PAGE_SIZE,
): Promise<Response> {
  try {
    const limit = pageSize(c.req.query("limit"), defaultSize);
    return c.json(await read(limit, c.req.query("cursor") || undefined));
  } catch (err) {
    if (err instanceof BadPageRequest) return jsonError(c, 400, "Bad request", err.message);
    throw err;
  }
}
