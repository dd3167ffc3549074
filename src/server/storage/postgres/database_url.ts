/**
 * PostgreSQL connection URLs (pure). A password never goes on a command line, where every user
 * of the machine can read it: `--database-url` refuses one, and DATABASE_URL (the environment)
 * or PGPASSWORD carry it instead. Messages show URLs with the password masked.
 */
import { UsageError } from "../../../common/errors.ts";

const SCHEMES = new Set(["postgres:", "postgresql:"]);

/** The URL if it is a PostgreSQL URL; a usage error naming `source` otherwise. */
export function checkDatabaseUrl(url: string, source: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source} is not a URL (expected postgres://user@host:port/database)`);
  }
  if (!SCHEMES.has(parsed.protocol)) {
    throw new UsageError(
      `${source} must be a postgres:// or postgresql:// URL, got ${parsed.protocol}//…`,
    );
  }
  return parsed;
}

/** `--database-url`: a PostgreSQL URL without a password. */
export function checkDatabaseUrlFlag(url: string): string {
  if (checkDatabaseUrl(url, "--database-url").password !== "") {
    throw new UsageError(
      "--database-url must not contain a password (the process list shows it to every user)",
      { hint: "put the password in PGPASSWORD, or pass the whole URL in DATABASE_URL" },
    );
  }
  return url;
}

/** The URL for messages: the password masked, the query string left out. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "(an unparsable database URL)";
  }
}
