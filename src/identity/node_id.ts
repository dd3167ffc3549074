/** node_id: the first 12 hex chars of SHA-256(`hostname:username`) — shared with the clock. */
import { createHash } from "node:crypto";
import { userInfo } from "node:os";

export function nodeIdFor(hostname: string, username: string): string {
  return createHash("sha256").update(`${hostname}:${username}`, "utf8").digest("hex").slice(0, 12);
}

/** The user name as Python's getpass.getuser() finds it: LOGNAME, USER, LNAME, USERNAME, OS. */
export function currentUsername(): string {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const value = Deno.env.get(name);
    if (value) return value;
  }
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

function currentHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

let cached: string | undefined;

/** This machine's and user's node_id (computed once per process). */
export function localNodeId(): string {
  cached ??= nodeIdFor(currentHostname(), currentUsername());
  return cached;
}
