/**
 * node_id: the first 12 hex chars of SHA-256(`hostname:username`) — shared with the clock.
 * Uses WebCrypto (node:crypto costs ~14 ms of process start-up).
 */

export async function nodeIdFor(hostname: string, username: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${hostname}:${username}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The user name as Python's getpass.getuser() finds it: LOGNAME, USER, LNAME, USERNAME, OS. */
export async function currentUsername(): Promise<string> {
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) {
    const value = Deno.env.get(name);
    if (value) return value;
  }
  try {
    // Rarely needed, and any node: module costs start-up time: not loaded ahead (load.ts).
    const os = "node:os";
    const { userInfo }: typeof import("node:os") = await import(os);
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

let cached: Promise<string> | undefined;

/** This machine's and user's node_id (computed once per process). */
export function localNodeId(): Promise<string> {
  cached ??= currentUsername().then((user) => nodeIdFor(currentHostname(), user));
  return cached;
}
