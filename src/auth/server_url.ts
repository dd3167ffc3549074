/**
 * Server URL rules: credentials travel only over https, except to a loopback host (a
 * `kittify serve` on this machine); tokens are bound to the server that issued them.
 */

/** The URL without trailing slashes, or null when it is not an http(s) URL with a host. */
export function normalizeServerUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Why credentials may not be sent to this URL, or null when they may. */
export function insecureUrlProblem(serverUrl: string): string | null {
  const url = new URL(serverUrl);
  if (url.protocol === "https:" || isLoopbackHost(url.hostname)) return null;
  return `${serverUrl} is plain http: credentials are only sent over https (or to a loopback ` +
    "address such as http://127.0.0.1)";
}

/** True when two server URLs name the same server. */
export function sameServer(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const x = normalizeServerUrl(a);
  return x !== null && x === normalizeServerUrl(b);
}
