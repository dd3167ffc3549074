/**
 * Signed tokens (HS256 JWTs via `jose`). Four kinds, told apart by the `typ` claim so one can
 * never be used as another: `access` (API calls), `refresh` (one use, rotates), `ws` (the
 * WebSocket upgrade only) and `session` (the dashboard cookie).
 *
 * Refresh tokens belong to a family (one login). Each refresh replaces the family's current
 * token; presenting a token that is no longer current means it was stolen or replayed, so the
 * whole family is revoked (RFC 6819 §5.2.2.3).
 */
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { RefreshFamilies } from "../storage/server_store.ts";
import type { ServerTimings } from "../limits.ts";
import type { UserRecord, UserStore } from "./users.ts";

export type TokenKind = "access" | "refresh" | "ws" | "session";

/** Who a verified token speaks for. */
export interface Principal {
  username: string;
  team: string;
  /**
   * created_at of the user record the token was issued for: a user removed and added again
   * (a new record) does not revive the old record's tokens.
   */
  since: string;
}

export function principalOf(user: UserRecord): Principal {
  return { username: user.username, team: user.team, since: user.created_at };
}

export interface TokenPair {
  access: string;
  refresh: string;
  access_lifetime: number;
  refresh_lifetime: number;
  team_slug: string;
}

/** A token was refused; `reason` is safe to show (it never contains the token). */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const ISSUER = "kittify-serve";

export class TokenService {
  constructor(
    private readonly families: RefreshFamilies,
    private readonly key: Uint8Array,
    private readonly users: UserStore,
    private readonly timings: ServerTimings,
    /** Milliseconds since the epoch; injectable so tests can move time forward. */
    private readonly now: () => number = Date.now,
  ) {}

  /** How long a refresh family is kept after its last change (a refresh token's lifetime). */
  private get lifetimeMs(): number {
    return this.timings.refreshLifetime * 1000;
  }

  /** A fresh login: a new refresh family and its first token pair. */
  async login(user: UserRecord): Promise<TokenPair> {
    const family = crypto.randomUUID();
    const jti = crypto.randomUUID();
    await this.families.create(
      family,
      { username: user.username, current: jti, revoked: false },
      this.lifetimeMs,
    );
    return await this.pair(user, family, jti);
  }

  /** Exchanges a current refresh token for a new pair (rotation with reuse detection). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const claims = await this.verifyClaims(refreshToken, "refresh");
    const family = String(claims.fam ?? "");
    const jti = String(claims.jti ?? "");
    const state = await this.families.get(family);
    if (!state || state.revoked) throw new TokenRejected("refresh token revoked");
    const user = await this.users.get(state.username);
    if (!user || user.created_at !== claims.since) throw new TokenRejected("unknown user");
    const next = crypto.randomUUID();
    const rotated = state.current === jti &&
      await this.families.rotate(family, jti, next, this.lifetimeMs);
    if (!rotated) {
      await this.families.revoke(family, this.lifetimeMs);
      throw new TokenRejected("refresh token already used; the session has been revoked");
    }
    return await this.pair(user, family, next);
  }

  /**
   * Revokes the refresh family of a login (`auth logout`). Returns false for a token that is not
   * a valid refresh token of this server; its family is then left alone.
   */
  async revoke(refreshToken: string): Promise<boolean> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifyClaims(refreshToken, "refresh");
    } catch (err) {
      if (err instanceof TokenRejected) return false;
      throw err;
    }
    const family = String(claims.fam ?? "");
    if (!(await this.families.get(family))) return false;
    await this.families.revoke(family, this.lifetimeMs);
    return true;
  }

  /** A short-lived token that only opens a WebSocket. */
  async wsToken(principal: Principal): Promise<{ ws_token: string; expires_in: number }> {
    const lifetime = this.timings.wsTokenLifetime;
    return { ws_token: await this.sign(principal, "ws", lifetime), expires_in: lifetime };
  }

  /** The dashboard's session cookie value, for a user who just signed in. */
  sessionToken(user: UserRecord): Promise<string> {
    return this.sign(principalOf(user), "session", this.timings.sessionLifetime);
  }

  /**
   * Verifies a token of the given kind and that its user still exists. The team always comes
   * from the user record, so a user moved to another team does not keep the old one.
   */
  async verify(token: string, kind: Exclude<TokenKind, "refresh">): Promise<Principal> {
    const claims = await this.verifyClaims(token, kind);
    const user = await this.users.get(String(claims.sub ?? ""));
    if (!user || user.created_at !== claims.since) throw new TokenRejected("unknown user");
    return principalOf(user);
  }

  private async pair(user: UserRecord, family: string, jti: string): Promise<TokenPair> {
    const principal = principalOf(user);
    const { accessLifetime, refreshLifetime } = this.timings;
    return {
      access: await this.sign(principal, "access", accessLifetime),
      refresh: await this.sign(principal, "refresh", refreshLifetime, { fam: family, jti }),
      access_lifetime: accessLifetime,
      refresh_lifetime: refreshLifetime,
      team_slug: user.team,
    };
  }

  private sign(
    principal: Principal,
    kind: TokenKind,
    lifetime: number,
    extra: Record<string, string> = {},
  ): Promise<string> {
    const issuedAt = Math.floor(this.now() / 1000);
    return new SignJWT({ typ: kind, team: principal.team, since: principal.since, ...extra })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setSubject(principal.username)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .sign(this.key);
  }

  private async verifyClaims(token: string, kind: TokenKind): Promise<Record<string, unknown>> {
    if (typeof token !== "string" || token === "") throw new TokenRejected("missing token");
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        currentDate: new Date(this.now()),
        clockTolerance: 0,
      });
      if (payload.typ !== kind) throw new TokenRejected(`not a ${kind} token`);
      return payload;
    } catch (err) {
      if (err instanceof TokenRejected) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new TokenRejected("token expired");
      throw new TokenRejected("invalid token");
    }
  }
}
