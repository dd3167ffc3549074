/**
 * Reading the credentials file `<home>/credentials` (TOML, same format as spec-kitty, reference
 * §5.2). "Logged in" is a purely local check: the access or the refresh token is unexpired.
 * Tokens are never printed.
 */
import { describeError } from "../common/errors.ts";
import { parseToml } from "../common/toml.ts";
import { join } from "../common/path.ts";
import { kittifyHome } from "../common/home.ts";

export const CREDENTIALS_FILE = "credentials";

/** A team slug as servers issue them; it goes into every event, so nothing else is accepted. */
const TEAM_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export interface Credentials {
  access: string;
  refresh: string;
  /** null when missing or unparseable (counts as expired). */
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  username: string | null;
  teamSlug: string | null;
  serverUrl: string | null;
}

export function credentialsPath(home: string = kittifyHome()): string {
  return join(home, CREDENTIALS_FILE);
}

/** An expiry instant: naive ISO strings mean UTC; `Z` and offsets are honoured. */
export function parseExpiry(value: unknown): Date | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function table(doc: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = doc[name];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}

const text = (v: unknown) => typeof v === "string" && v !== "" ? v : null;

/** The credentials, or why a credentials file cannot be used (it then counts as logged out). */
export type CredentialsRead = { credentials: Credentials; problem: null } | {
  credentials: null;
  /** null when there simply is no credentials file. */
  problem: string | null;
};

/** Parses the credentials TOML; null when it is not usable (bad TOML, no tokens). */
export async function parseCredentials(toml: string): Promise<Credentials | null> {
  return (await parseCredentialsText(toml, "credentials")).credentials;
}

async function parseCredentialsText(toml: string, path: string): Promise<CredentialsRead> {
  const { doc, problem } = await parseToml(toml);
  if (doc === null) return { credentials: null, problem: `${path} is not valid TOML (${problem})` };
  const tokens = table(doc, "tokens");
  const access = text(tokens.access);
  const refresh = text(tokens.refresh);
  if (access === null && refresh === null) {
    return { credentials: null, problem: `${path} holds no tokens` };
  }
  const user = table(doc, "user");
  const team = text(user.team_slug);
  if (team !== null && !TEAM_SLUG.test(team)) {
    return {
      credentials: null,
      problem: `${path} names the team ${JSON.stringify(team.slice(0, 40))}, which is not a ` +
        "team slug (lowercase letters, digits and dashes); log in again with `kittify auth login`",
    };
  }
  const credentials: Credentials = {
    access: access ?? "",
    refresh: refresh ?? "",
    accessExpiresAt: parseExpiry(tokens.access_expires_at),
    refreshExpiresAt: parseExpiry(tokens.refresh_expires_at),
    username: text(user.username),
    teamSlug: text(user.team_slug),
    serverUrl: text(table(doc, "server").url),
  };
  return { credentials, problem: null };
}

/** Reads the credentials file, saying why when one exists but cannot be used. */
export async function readCredentialsFile(home: string = kittifyHome()): Promise<CredentialsRead> {
  const path = credentialsPath(home);
  let toml: string;
  try {
    const distrust = await untrusted(path);
    if (distrust) return { credentials: null, problem: distrust };
    toml = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { credentials: null, problem: null };
    return { credentials: null, problem: `cannot read ${path} (${describeError(err)})` };
  }
  return await parseCredentialsText(toml, path);
}

/**
 * Why the credentials file must not be trusted, as ssh judges its keys: readable or writable by
 * others, or not owned by this user (also through a symbolic link). Null when it is fine (and on
 * Windows, which has no such mode bits).
 */
async function untrusted(path: string): Promise<string | null> {
  if (Deno.build.os === "windows") return null;
  const info = await Deno.stat(path); // through a symlink: the file it names
  const uid = Deno.uid();
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    return `${path} belongs to another user (uid ${info.uid}); it is not used. Log in again ` +
      `with \`kittify auth login\` (after removing or replacing it)`;
  }
  const mode = info.mode ?? 0;
  if ((mode & 0o077) !== 0) {
    return `${path} can be read or changed by other users (mode ${(mode & 0o777).toString(8)}); ` +
      `it is not used until you run \`chmod 600 ${path}\``;
  }
  return null;
}

/** Reads the credentials file; null when there is none or it is unusable. */
export async function readCredentials(home: string = kittifyHome()): Promise<Credentials | null> {
  return (await readCredentialsFile(home)).credentials;
}

function unexpired(token: string, expiresAt: Date | null, now: Date): boolean {
  return token !== "" && expiresAt !== null && now.getTime() < expiresAt.getTime();
}

/** True when the access token or the refresh token has not expired yet. */
export function isLoggedIn(creds: Credentials | null, now: Date = new Date()): boolean {
  if (creds === null) return false;
  return unexpired(creds.access, creds.accessExpiresAt, now) ||
    unexpired(creds.refresh, creds.refreshExpiresAt, now);
}

/** The team of a logged-in user, else `local` (the envelope's team_slug). */
export function teamSlugOf(creds: Credentials | null, now: Date = new Date()): string {
  return isLoggedIn(creds, now) && creds?.teamSlug ? creds.teamSlug : "local";
}
