/**
 * Writing and removing the credentials file (spec-kitty's format, reference §5.2): replaced
 * atomically (temp file, fsync, rename) with mode 0600. Callers hold the credentials lock.
 */
import { atomicWrite } from "../common/atomic_write.ts";
import { type Credentials, credentialsPath } from "./credentials.ts";

/** spec-kitty's expiry format: naive ISO in UTC with microseconds. */
export function formatExpiry(date: Date): string {
  return date.toISOString().replace(/Z$/, "000");
}

/** The TOML text of a credentials file. */
export async function formatCredentials(creds: Credentials): Promise<string> {
  const { stringify } = await import("smol-toml");
  const user: Record<string, string> = { username: creds.username ?? "unknown" };
  if (creds.teamSlug) user.team_slug = creds.teamSlug;
  const doc: Record<string, Record<string, string>> = {
    tokens: {
      access: creds.access,
      refresh: creds.refresh,
      ...(creds.accessExpiresAt ? { access_expires_at: formatExpiry(creds.accessExpiresAt) } : {}),
      ...(creds.refreshExpiresAt
        ? { refresh_expires_at: formatExpiry(creds.refreshExpiresAt) }
        : {}),
    },
    user,
  };
  if (creds.serverUrl) doc.server = { url: creds.serverUrl };
  const text = stringify(doc);
  return text.endsWith("\n") ? text : `${text}\n`;
}

export async function writeCredentials(home: string, creds: Credentials): Promise<void> {
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  const path = credentialsPath(home);
  await atomicWrite(path, await formatCredentials(creds), 0o600);
  // The temp file was created 0600 already (umask can only remove bits); make sure anyway.
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

/** Removes the credentials file; false when there was none. */
export async function removeCredentials(home: string): Promise<boolean> {
  try {
    await Deno.remove(credentialsPath(home));
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
