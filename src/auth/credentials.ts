/**
 * Reading the credentials file `<home>/credentials` (TOML, same format as spec-kitty, reference
 * §5.2). "Logged in" is a purely local check: the access or the refresh token is unexpired.
 * Tokens are never printed.
 */
import { join } from "node:path";
import { kittifyHome } from "../common/home.ts";

export const CREDENTIALS_FILE = "credentials";

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

/** Parses the credentials TOML; null when it is not usable (bad TOML, no tokens). */
export async function parseCredentials(toml: string): Promise<Credentials | null> {
  let doc: Record<string, unknown>;
  try {
    const { parse } = await import("smol-toml");
    doc = parse(toml);
  } catch {
    return null;
  }
  const tokens = table(doc, "tokens");
  const access = text(tokens.access);
  const refresh = text(tokens.refresh);
  if (access === null && refresh === null) return null;
  const user = table(doc, "user");
  return {
    access: access ?? "",
    refresh: refresh ?? "",
    accessExpiresAt: parseExpiry(tokens.access_expires_at),
    refreshExpiresAt: parseExpiry(tokens.refresh_expires_at),
    username: text(user.username),
    teamSlug: text(user.team_slug),
    serverUrl: text(table(doc, "server").url),
  };
}

/** Reads the credentials file; null when there is none or it is unusable. */
export async function readCredentials(home: string = kittifyHome()): Promise<Credentials | null> {
  try {
    return await parseCredentials(await Deno.readTextFile(credentialsPath(home)));
  } catch {
    return null;
  }
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
