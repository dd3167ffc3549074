/**
 * The endpoints of the sync protocol (reference §5, §7, §8), used by the client and by
 * `kittify serve`. Every path keeps its trailing slash: the original server requires it.
 */

export const PATHS = {
  token: "/api/v1/token/",
  refresh: "/api/v1/token/refresh/",
  /** kittify extension: revokes a login's refresh-token family (`auth logout`). */
  revoke: "/api/v1/token/revoke/",
  wsToken: "/api/v1/ws-token/",
  batch: "/api/v1/events/batch/",
  events: "/ws/v1/events/",
  projects: "/api/v1/projects/",
  health: "/healthz",
} as const;

/** `server_url` + path, whatever trailing slashes the URL has. */
export function endpoint(serverUrl: string, path: string): string {
  return `${serverUrl.replace(/\/+$/, "")}${path}`;
}

/** The WebSocket URL of the event stream: https → wss, http → ws. */
export function eventsSocketUrl(serverUrl: string): string {
  return endpoint(serverUrl, PATHS.events).replace(/^http(s?):/i, "ws$1:");
}
