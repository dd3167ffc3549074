/**
 * `sync status --check`: is the server reachable, and does it accept this login? An empty batch
 * `{"events": []}` is posted with the real access token (refreshed if it expired), 5 s at most
 * (reference §11.2). It never sends an event.
 */
import { NotLoggedInError, Session, SessionExpiredError } from "../auth/session.ts";
import { UserError } from "../common/errors.ts";
import { endpoint, PATHS } from "../protocol/paths.ts";
import { AuthApi, AuthRefused } from "../transport/auth_api.ts";
import { exchange, type Fetch, TransportError } from "../transport/http.ts";

export const PROBE_TIMEOUT_MS = 5_000;

export type ProbeStatus =
  | "connected"
  | "not_logged_in"
  | "session_expired"
  | "auth_failed"
  | "permission_denied"
  | "unsupported_protocol"
  | "unexpected"
  | "unreachable"
  | "error";

export interface ProbeResult {
  status: ProbeStatus;
  /** One line for people. */
  note: string;
  http_status: number | null;
}

export interface ProbeDeps {
  home: string;
  serverUrl: string;
  fetch: Fetch;
  now(): number;
}

const result = (status: ProbeStatus, note: string, http: number | null = null): ProbeResult => ({
  status,
  note,
  http_status: http,
});

const QUEUED = "Events wait in the outbox until it is back.";

export async function probeServer(deps: ProbeDeps): Promise<ProbeResult> {
  const session = new Session({ ...deps, api: new AuthApi(deps.fetch) });
  let token: string;
  try {
    token = await session.access(AbortSignal.timeout(PROBE_TIMEOUT_MS));
  } catch (err) {
    if (err instanceof NotLoggedInError) {
      return result("not_logged_in", `${err.message}. Run \`kittify auth login\` to connect.`);
    }
    if (err instanceof SessionExpiredError) {
      return result("session_expired", "Session expired. Run `kittify auth login` again.");
    }
    if (err instanceof TransportError) return result("unreachable", `${err.message}. ${QUEUED}`);
    if (err instanceof AuthRefused || err instanceof UserError) {
      return result("error", `Authentication probe failed: ${err.message.slice(0, 120)}`);
    }
    throw err;
  }
  try {
    const answer = await exchange(deps.fetch, endpoint(deps.serverUrl, PATHS.batch), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"events":[]}',
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    switch (answer.status) {
      case 200:
        return result("connected", "Server reachable, authentication valid.", 200);
      case 401:
        return result(
          "auth_failed",
          "The server refused the login: run `kittify auth login`.",
          401,
        );
      case 403:
        return result("permission_denied", "Check your team membership for this project.", 403);
      case 412:
        return result("unsupported_protocol", "The server speaks another protocol version.", 412);
      default:
        return result("unexpected", `Server returned HTTP ${answer.status}.`, answer.status);
    }
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    const what = err.failure === "timeout"
      ? "Connection timeout (server may be down)"
      : err.message;
    return result("unreachable", `${what[0].toUpperCase()}${what.slice(1)}. ${QUEUED}`);
  }
}
