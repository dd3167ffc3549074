/**
 * The token endpoints of the sync protocol (reference §5.1) as calls with typed failures: login
 * (password grant), refresh (rotation), revoke (logout) and the WebSocket token.
 */
import { endpoint, PATHS } from "../protocol/paths.ts";
import { errorText, exchange, type Fetch, type HttpAnswer, redirectProblem } from "./http.ts";

/** Auth calls wait at most this long (spec-kitty: 10 s). */
export const AUTH_TIMEOUT_MS = 10_000;

export interface TokenGrant {
  access: string;
  refresh: string;
  /** Seconds. */
  accessLifetime: number;
  refreshLifetime: number;
  teamSlug: string | null;
}

export type AuthRefusal =
  /** 401 on login: wrong user name or password. */
  | "invalid_credentials"
  /** 401 on refresh: the session is over (expired, revoked or reused). */
  | "session_refused"
  /** The server answered something else than the protocol says (status, body). */
  | "server_error"
  /** 412: the server speaks another protocol version. */
  | "unsupported_protocol";

export class AuthRefused extends Error {
  constructor(readonly refusal: AuthRefusal, message: string, readonly status?: number) {
    super(message);
    this.name = "AuthRefused";
  }
}

const DEFAULT_ACCESS_LIFETIME = 900;
const DEFAULT_REFRESH_LIFETIME = 604_800;

/** A lifetime in seconds: a number or numeric string, else the default. */
function lifetime(primary: unknown, alternative: unknown, fallback: number): number {
  for (const value of [primary, alternative]) {
    const n = typeof value === "string" ? Number(value.trim()) : value;
    if (typeof n === "number" && Number.isFinite(n) && n > 0) return Math.floor(n);
  }
  return fallback;
}

/** The grant in a 200 answer; throws when the body is not one. */
export function parseGrant(body: unknown): TokenGrant {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (
    typeof b.access !== "string" || b.access === "" || typeof b.refresh !== "string" ||
    b.refresh === ""
  ) {
    throw new AuthRefused("server_error", "invalid server response (no access and refresh tokens)");
  }
  return {
    access: b.access,
    refresh: b.refresh,
    accessLifetime: lifetime(b.access_lifetime, b.expires_in, DEFAULT_ACCESS_LIFETIME),
    refreshLifetime: lifetime(b.refresh_lifetime, b.refresh_expires_in, DEFAULT_REFRESH_LIFETIME),
    teamSlug: typeof b.team_slug === "string" && b.team_slug !== "" ? b.team_slug : null,
  };
}

function refusal(answer: HttpAnswer, onUnauthorized: AuthRefusal, what: string): AuthRefused {
  const redirected = redirectProblem(answer);
  if (redirected) return new AuthRefused("server_error", `${what}: ${redirected}`, answer.status);
  if (answer.status === 401) {
    const message = onUnauthorized === "invalid_credentials"
      ? "invalid username or password"
      : "the server ended this session";
    return new AuthRefused(onUnauthorized, message, 401);
  }
  if (answer.status === 412) {
    return new AuthRefused("unsupported_protocol", errorText(answer.body, "HTTP 412"), 412);
  }
  return new AuthRefused(
    "server_error",
    `${what}: server error (HTTP ${answer.status}: ${errorText(answer.body, "no details")})`,
    answer.status,
  );
}

export class AuthApi {
  constructor(private readonly fetcher: Fetch = fetch) {}

  async login(
    serverUrl: string,
    username: string,
    password: string,
    signal?: AbortSignal,
  ): Promise<TokenGrant> {
    const answer = await this.post(serverUrl, PATHS.token, { username, password }, signal);
    if (answer.status !== 200) throw refusal(answer, "invalid_credentials", "login failed");
    return parseGrant(answer.body);
  }

  async refresh(serverUrl: string, refresh: string, signal?: AbortSignal): Promise<TokenGrant> {
    const answer = await this.post(serverUrl, PATHS.refresh, { refresh }, signal);
    if (answer.status !== 200) throw refusal(answer, "session_refused", "token refresh failed");
    return parseGrant(answer.body);
  }

  /** Ends the login's refresh family on the server. */
  async revoke(serverUrl: string, refresh: string, signal?: AbortSignal): Promise<void> {
    const answer = await this.post(serverUrl, PATHS.revoke, { refresh }, signal);
    if (answer.status !== 200) {
      throw refusal(answer, "session_refused", "revoking the session failed");
    }
  }

  /** A short-lived token for the WebSocket upgrade. */
  async wsToken(serverUrl: string, access: string, signal?: AbortSignal): Promise<string> {
    const answer = await exchange(this.fetcher, endpoint(serverUrl, PATHS.wsToken), {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
      timeoutMs: AUTH_TIMEOUT_MS,
      signal,
    });
    if (answer.status !== 200) throw refusal(answer, "session_refused", "WebSocket token failed");
    const token = (answer.body as { ws_token?: unknown } | null)?.ws_token;
    if (typeof token !== "string" || token === "") {
      throw new AuthRefused("server_error", "invalid server response (no ws_token)");
    }
    return token;
  }

  private post(serverUrl: string, path: string, body: unknown, signal?: AbortSignal) {
    return exchange(this.fetcher, endpoint(serverUrl, path), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      timeoutMs: AUTH_TIMEOUT_MS,
      signal,
    });
  }
}
