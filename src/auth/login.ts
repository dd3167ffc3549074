/**
 * `auth login`, `auth logout` and `auth status` as operations that return reports (the CLI
 * prints them). Login is a password grant at the configured server; logout revokes the login on
 * the server and removes the credentials; status is local (no network) and never shows a token.
 */
import { UserError } from "../common/errors.ts";
import { type AuthApi, AuthRefused } from "../transport/auth_api.ts";
import { isTlsReason, TransportError } from "../transport/http.ts";
import { type Credentials, readCredentialsFile } from "./credentials.ts";
import { removeCredentials, writeCredentials } from "./credentials_file.ts";
import { withCredentialsLock } from "./credentials_lock.ts";
import { insecureUrlProblem, sameServer } from "./server_url.ts";
import { credentialsFromGrant, isUnexpired } from "./session.ts";

export interface AuthDeps {
  home: string;
  serverUrl: string;
  api: AuthApi;
  now(): number;
}

export interface LoginReport {
  username: string;
  team_slug: string | null;
  server_url: string;
  access_expires_at: string;
  refresh_expires_at: string;
}

/** The login of this server when one is still usable (access or refresh unexpired). */
export function activeLogin(creds: Credentials | null, serverUrl: string, now: number) {
  if (creds === null || !sameServer(creds.serverUrl, serverUrl)) return null;
  const alive = isUnexpired(creds.access, creds.accessExpiresAt, now) ||
    isUnexpired(creds.refresh, creds.refreshExpiresAt, now);
  return alive ? creds : null;
}

/** A failed auth call as the one-line error the user sees (reference §11.1). */
export function authCallError(err: unknown, serverUrl: string): unknown {
  if (err instanceof TransportError) {
    return new UserError(`cannot reach the sync server ${serverUrl} (${err.message})`, {
      hint: isTlsReason(err.message)
        ? "for a private CA, name its certificate in DENO_CERT (or SSL_CERT_FILE, as spec-kitty)"
        : "is it running? `kittify sync server` shows and sets the URL",
    });
  }
  if (err instanceof AuthRefused) {
    switch (err.refusal) {
      case "invalid_credentials":
        return new UserError("invalid username or password", {
          hint: "check your credentials and try again",
        });
      case "session_refused":
        return new UserError("session expired, log in again", { hint: "run `kittify auth login`" });
      case "unsupported_protocol":
        return new UserError(`the server does not speak this sync protocol: ${err.message}`);
      case "server_error":
        return new UserError(`the sync server failed: ${err.message}`, {
          hint: "try again in a few minutes",
        });
    }
  }
  return err;
}

/** Refuses plain http to anything but loopback before a password is even asked for. */
export function assertSecureServer(serverUrl: string): void {
  const problem = insecureUrlProblem(serverUrl);
  if (problem) {
    throw new UserError(problem, {
      hint: "set an https URL with `kittify sync server https://...`",
    });
  }
}

export async function login(
  deps: AuthDeps,
  username: string,
  password: string,
): Promise<LoginReport> {
  assertSecureServer(deps.serverUrl);
  if (username.trim() === "") throw new UserError("the username is empty");
  let grant;
  try {
    grant = await deps.api.login(deps.serverUrl, username, password);
  } catch (err) {
    throw authCallError(err, deps.serverUrl);
  }
  const creds = credentialsFromGrant(grant, deps.now(), {
    username,
    teamSlug: null,
    serverUrl: deps.serverUrl,
  });
  const previous = await withCredentialsLock(deps.home, async () => {
    const before = (await readCredentialsFile(deps.home)).credentials;
    await writeCredentials(deps.home, creds);
    return before;
  });
  // The login this one replaces ends on its server too (best effort: a new login is no reason
  // to fail, and an unreachable old server keeps it only until its refresh token expires).
  if (
    previous && previous.refresh && previous.serverUrl &&
    sameServer(previous.serverUrl, deps.serverUrl)
  ) {
    await deps.api.revoke(previous.serverUrl, previous.refresh, AbortSignal.timeout(2_000))
      .catch(() => {});
  }
  return {
    username,
    team_slug: creds.teamSlug,
    server_url: deps.serverUrl,
    access_expires_at: creds.accessExpiresAt!.toISOString(),
    refresh_expires_at: creds.refreshExpiresAt!.toISOString(),
  };
}

export interface LogoutReport {
  /** Whether there was a login to end. */
  logged_out: boolean;
  username: string | null;
  server_url: string | null;
  /** Whether the server confirmed the revocation. */
  revoked: boolean;
  /** Why the server could not revoke it (the local credentials are gone all the same). */
  revoke_problem: string | null;
}

export async function logout(deps: AuthDeps): Promise<LogoutReport> {
  return await withCredentialsLock(deps.home, async () => {
    const { credentials: creds } = await readCredentialsFile(deps.home);
    const removed = await removeCredentials(deps.home);
    const report: LogoutReport = {
      logged_out: removed,
      username: creds?.username ?? null,
      server_url: creds?.serverUrl ?? null,
      revoked: false,
      revoke_problem: null,
    };
    if (!creds || !isUnexpired(creds.refresh, creds.refreshExpiresAt, deps.now())) return report;
    const server = creds.serverUrl;
    if (server === null) {
      report.revoke_problem = "the login does not say which server issued it";
      return report;
    }
    if (insecureUrlProblem(server)) {
      report.revoke_problem = "the server is not https";
      return report;
    }
    try {
      await deps.api.revoke(server, creds.refresh, AbortSignal.timeout(5_000));
      report.revoked = true;
    } catch (err) {
      report.revoke_problem = err instanceof Error ? err.message : String(err);
    }
    return report;
  });
}

export interface TokenState {
  valid: boolean;
  expires_at: string | null;
  remaining_seconds: number | null;
}

export interface AuthStatus {
  logged_in: boolean;
  /** Why not, when not logged in. */
  reason: string | null;
  username: string | null;
  team_slug: string | null;
  /** The server the login belongs to. */
  server_url: string | null;
  /** `[sync] server_url`: where events go. */
  configured_server_url: string;
  access: TokenState | null;
  refresh: TokenState | null;
  credentials_path: string;
  /** Why the credentials file could not be used, if it exists. */
  problem: string | null;
}

function tokenState(token: string, expiresAt: Date | null, now: number): TokenState {
  return {
    valid: isUnexpired(token, expiresAt, now),
    expires_at: expiresAt?.toISOString() ?? null,
    remaining_seconds: expiresAt
      ? Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000))
      : null,
  };
}

export async function authStatus(
  deps: Omit<AuthDeps, "api">,
  credentialsPath: string,
): Promise<AuthStatus> {
  const read = await readCredentialsFile(deps.home);
  const creds = read.credentials;
  const now = deps.now();
  const status: AuthStatus = {
    logged_in: false,
    reason: null,
    username: creds?.username ?? null,
    team_slug: creds?.teamSlug ?? null,
    server_url: creds?.serverUrl ?? null,
    configured_server_url: deps.serverUrl,
    access: creds ? tokenState(creds.access, creds.accessExpiresAt, now) : null,
    refresh: creds ? tokenState(creds.refresh, creds.refreshExpiresAt, now) : null,
    credentials_path: credentialsPath,
    problem: read.problem,
  };
  if (creds === null) {
    status.reason = read.problem ? "the credentials file cannot be used" : "no login";
  } else if (creds.serverUrl === null) {
    status.reason = "the login does not say which server issued it";
  } else if (!sameServer(creds.serverUrl, deps.serverUrl)) {
    status.reason = `the login is for ${creds.serverUrl}, but events go to ${deps.serverUrl}`;
  } else if (!status.access!.valid && !status.refresh!.valid) {
    status.reason = "the session expired";
  } else {
    status.logged_in = true;
  }
  return status;
}
