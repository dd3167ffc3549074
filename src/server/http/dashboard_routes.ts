/**
 * The dashboard: `GET /` (sign-in form, or the board once signed in), `POST /login`,
 * `POST /logout`, `GET /dashboard/view` (a page of the view as JSON) and `GET /dashboard/live` (SSE). The
 * session is a signed token in an HttpOnly, SameSite=Strict cookie.
 */
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { type Principal, TokenRejected } from "../auth/tokens.ts";
import type { ServerContext } from "../context.ts";
import boardHtml from "../dashboard/board.html" with { type: "text" };
import dashboardCss from "../dashboard/dashboard.css" with { type: "text" };
import dashboardJs from "../dashboard/dashboard.js" with { type: "text" };
import loginHtml from "../dashboard/login.html" with { type: "text" };
import { readBody } from "../ingest/body.ts";
import { MAX_AUTH_BODY_BYTES } from "../../protocol/limits.ts";
import { jsonError } from "./errors.ts";
import { bodyError } from "./json_body.ts";
import { liveStream } from "./live_stream.ts";
import { paged } from "./paging.ts";

export const SESSION_COOKIE = "kittify_session";
/** Projects per page of the board (each in full: features and work packages). */
const DASHBOARD_PAGE_SIZE = 10;

const AUTH_BODY = { wireBytes: MAX_AUTH_BODY_BYTES, decodedBytes: MAX_AUTH_BODY_BYTES };

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  // same-origin: Chromium sends "Origin: null" on form posts under no-referrer.
  "referrer-policy": "same-origin",
};

export function registerDashboardRoutes(app: Hono, ctx: ServerContext): void {
  const session = async (c: Context): Promise<Principal | undefined> => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return undefined;
    try {
      return await ctx.tokens.verify(token, "session");
    } catch (err) {
      if (err instanceof TokenRejected) return undefined;
      throw err;
    }
  };

  app.get("/", async (c) => {
    const who = await session(c);
    if (!who) return page(c, fill(loginHtml, { error: "" }));
    return page(c, fill(boardHtml, { username: who.username, team: who.team }));
  });

  app.post("/login", async (c) => {
    if (!sameOrigin(c)) return jsonError(c, 403, "Forbidden", "cross-origin sign-in refused");
    // The sign-in form is url-encoded and small: read at most the auth endpoints' limit.
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readBody(c.req.raw, AUTH_BODY));
    } catch (err) {
      const e = bodyError(err);
      return jsonError(c, e.status, e.error, e.details);
    }
    const username = form.get("username") ?? "";
    const password = form.get("password") ?? "";
    const user = await ctx.users.authenticate(username, password);
    if (!user) return page(c, fill(loginHtml, { error: "Invalid username or password" }), 401);
    setCookie(c, SESSION_COOKIE, await ctx.tokens.sessionToken(user), {
      httpOnly: true,
      sameSite: "Strict",
      secure: overHttps(c),
      path: "/",
      maxAge: ctx.timings.sessionLifetime,
    });
    return c.redirect("/", 303);
  });

  app.post("/logout", (c) => {
    if (!sameOrigin(c)) return jsonError(c, 403, "Forbidden", "cross-origin sign-out refused");
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });

  app.get("/dashboard/view", async (c) => {
    const who = await session(c);
    if (!who) return jsonError(c, 401, "Not signed in");
    c.header("cache-control", "no-store");
    return await paged(c, async (limit, cursor) => {
      const page = await ctx.views.projectPage(who.team, limit, cursor);
      return { team: who.team, projects: page.items, next_cursor: page.next_cursor };
    }, DASHBOARD_PAGE_SIZE);
  });

  app.get("/dashboard/live", async (c) => {
    const who = await session(c);
    if (!who) return jsonError(c, 401, "Not signed in");
    return liveStream(ctx.hub, who);
  });

  app.get("/assets/dashboard.js", (c) => asset(c, dashboardJs, "text/javascript; charset=utf-8"));
  app.get("/assets/dashboard.css", (c) => asset(c, dashboardCss, "text/css; charset=utf-8"));
  app.get("/favicon.ico", (c) => c.body(null, 204));
}

function page(c: Context, html: string, status: 200 | 401 = 200): Response {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  c.header("cache-control", "no-store");
  return c.html(html, status);
}

function asset(c: Context, body: string, type: string): Response {
  c.header("content-type", type);
  c.header("cache-control", "no-cache");
  return c.body(body);
}

/** Replaces `{{name}}` placeholders with HTML-escaped values. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{\{\s*(\w+)\s*\}\}/g,
    (_, name: string) => escapeHtml(values[name] ?? ""),
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * True if the browser reached the server over https: directly, or through a TLS-terminating
 * proxy that says so in X-Forwarded-Proto. Trusting the header is safe here: it can only add
 * the Secure attribute, which makes the cookie stricter.
 */
function overHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  return forwarded === "https";
}

/** Browsers send Origin on a cross-site POST: refuse one from another site (login CSRF). */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}
