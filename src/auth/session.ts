/**
 * The logged-in session of one server: hands out a valid access token, refreshing when the stored
 * one has expired or the server refused it. A refresh happens once, under the cross-process
 * credentials lock; if another process (kittify or spec-kitty) rotated the tokens meanwhile, its
 * new tokens are adopted instead of refreshing again (a reused refresh token would revoke the
 * whole login on the server). A refused refresh removes the credentials: the session is over.
 */
import { UserError } from "../common/errors.ts";
import { type AuthApi, AuthRefused, type TokenGrant } from "../transport/auth_api.ts";
import { type Credentials, readCredentials } from "./credentials.ts";
import { removeCredentials, writeCredentials } from "./credentials_file.ts";
import { withCredentialsLock } from "./credentials_lock.ts";
import { insecureUrlProblem, sameServer } from "./server_url.ts";

/** An access token this close to expiry is refreshed first (clock skew, request time). */
const EXPIRY_MARGIN_MS = 10_000;

const LOGIN_HINT = "run `kittify auth login`";

/** No usable login for this server: nothing to send with. */
export class NotLoggedInError extends UserError {
  constructor(message: string) {
    super(message, { hint: LOGIN_HINT });
  }
}

/** The server ended the session (or it ran out): the user must log in again. */
export class SessionExpiredError extends UserError {
  constructor(detail?: string) {
    super(`session expired, log in again${detail ? ` (${detail})` : ""}`, { hint: LOGIN_HINT });
  }
}

/** Where to get a valid access token for requests. */
export interface TokenSource {
  /** A valid access token, refreshed first when the stored one has expired. */
  access(signal?: AbortSignal): Promise<string>;
  /** The server refused `rejected`: a new access token (one refresh, or another process's). */
  renew(rejected: string, signal?: AbortSignal): Promise<string>;
}

export function isUnexpired(token: string, expiresAt: Date | null, now: number, margin = 0) {
  return token !== "" && expiresAt !== null && now + margin < expiresAt.getTime();
}

/** Credentials from a fresh grant. */
export function credentialsFromGrant(
  grant: TokenGrant,
  at: number,
  who: { username: string; teamSlug: string | null; serverUrl: string },
): Credentials {
  return {
    access: grant.access,
    refresh: grant.refresh,
    accessExpiresAt: new Date(at + grant.accessLifetime * 1000),
    refreshExpiresAt: new Date(at + grant.refreshLifetime * 1000),
    username: who.username,
    teamSlug: grant.teamSlug ?? who.teamSlug,
    serverUrl: who.serverUrl,
  };
}

export interface SessionDeps {
  home: string;
  serverUrl: string;
  api: AuthApi;
  now: () => number;
  lockTimeoutMs?: number;
}

export class Session implements TokenSource {
  #creds: Promise<Credentials | null> | undefined;

  constructor(private readonly deps: SessionDeps) {}

  /** The stored login, checked to be for this server and not over. */
  async credentials(): Promise<Credentials> {
    this.#creds ??= readCredentials(this.deps.home);
    return this.usable(await this.#creds);
  }

  /** Reads the credentials file again next time (after a login or logout elsewhere). */
  forget(): void {
    this.#creds = undefined;
  }

  async access(signal?: AbortSignal): Promise<string> {
    const creds = await this.credentials();
    const now = this.deps.now();
    if (isUnexpired(creds.access, creds.accessExpiresAt, now, EXPIRY_MARGIN_MS)) {
      return creds.access;
    }
    return (await this.refreshed(creds.access, signal)).access;
  }

  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    return (await this.refreshed(rejected, signal)).access;
  }

  private usable(creds: Credentials | null): Credentials {
    const server = this.deps.serverUrl;
    if (creds === null) throw new NotLoggedInError(`not logged in to ${server}`);
    if (creds.serverUrl === null) {
      throw new NotLoggedInError(
        "the stored login does not say which server issued it; tokens are only sent to that " +
          "server",
      );
    }
    const insecure = insecureUrlProblem(creds.serverUrl);
    if (insecure) throw new NotLoggedInError(insecure);
    if (!sameServer(creds.serverUrl, server)) {
      throw new NotLoggedInError(
        `logged in to ${creds.serverUrl}, but the sync server is now ${server}; ` +
          "tokens are only sent to the server that issued them",
      );
    }
    const now = this.deps.now();
    if (
      !isUnexpired(creds.access, creds.accessExpiresAt, now) &&
      !isUnexpired(creds.refresh, creds.refreshExpiresAt, now)
    ) {
      throw new SessionExpiredError(`the login of ${creds.username ?? "unknown"} ran out`);
    }
    return creds;
  }

  /** One refresh under the lock, or the tokens another process stored since `stale`. */
  private refreshed(stale: string, signal?: AbortSignal): Promise<Credentials> {
    const { home, api, now } = this.deps;
    return withCredentialsLock(home, async () => {
      const onDisk = this.usable(await readCredentials(home));
      if (onDisk.access !== stale && isUnexpired(onDisk.access, onDisk.accessExpiresAt, now())) {
        this.#creds = Promise.resolve(onDisk);
        return onDisk;
      }
      if (!isUnexpired(onDisk.refresh, onDisk.refreshExpiresAt, now())) {
        throw new SessionExpiredError("the refresh token ran out");
      }
      let grant: TokenGrant;
      try {
        grant = await api.refresh(onDisk.serverUrl!, onDisk.refresh, signal);
      } catch (err) {
        if (err instanceof AuthRefused && err.refusal === "session_refused") {
          await removeCredentials(home);
          this.#creds = Promise.resolve(null);
          throw new SessionExpiredError("the server refused the refresh token");
        }
        throw err;
      }
      const next = credentialsFromGrant(grant, now(), {
        username: onDisk.username ?? "unknown",
        teamSlug: onDisk.teamSlug,
        serverUrl: onDisk.serverUrl!,
      });
      await writeCredentials(home, next);
      this.#creds = Promise.resolve(next);
      return next;
    }, { signal, timeoutMs: this.deps.lockTimeoutMs });
  }
}
