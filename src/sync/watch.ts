/**
 * `sync watch`: a long-running, live sync. It keeps a WebSocket open (reconnecting for as long as
 * it runs), holds the delivery lease while connected so short commands leave delivery to it,
 * delivers the backlog and then every event any process on this machine stores (it polls the
 * outbox head, a single read, every {@link WATCH_POLL_MS}), hands the team's events to a
 * listener and advances the local Lamport clock past them. When it is stopped it makes one last
 * bounded attempt to deliver what is left.
 */
import type { Credentials } from "../auth/credentials.ts";
import { Session } from "../auth/session.ts";
import type { Lease, LeaseHolder, Outbox } from "../store/outbox.ts";
import { AuthApi } from "../transport/auth_api.ts";
import type { Fetch } from "../transport/http.ts";
import { HttpBatchTransport } from "../transport/http_batch.ts";
import type { WsConnection } from "../transport/ws_connection.ts";
import type { EventTransport } from "../transport/event_transport.ts";
import { StoredEventsTap } from "../transport/stored_events_tap.ts";
import { WsTransport } from "../transport/ws_transport.ts";
import { sleep } from "./backoff.ts";
import { healthOutcome, LEASE_TTL_MS, runDelivery } from "./delivery_run.ts";
import { type LinkState, LiveLink } from "./live_link.ts";
import { EXIT_BUDGET_MS } from "./runtime.ts";
import { type DrainReport, Uploader } from "./uploader.ts";

/** How often the outbox head is checked for events stored by other processes, ms. */
export const WATCH_POLL_MS = 25;
/** How often an idle watch reads the login again (a logout ends its connection), ms. */
export const LOGIN_CHECK_MS = 1_000;
/** How long the HTTP path may take for events the socket did not take, ms. */
const HTTP_FALLBACK_MS = 10_000;

export type WatchState =
  | LinkState
  | { kind: "waiting"; holder: Lease }
  | { kind: "delivered"; count: number }
  | { kind: "stopped"; pending: number };

export interface WatchDeps {
  home: string;
  serverUrl: string;
  outbox: Outbox;
  fetch: Fetch;
  now(): number;
  random?(): number;
  /** An event another client of the team stored. */
  onEvent(event: Record<string, unknown>): void;
  /** An event of this machine that this watch has just delivered (the server stored it). */
  onDelivered?(event: Record<string, unknown>): void;
  onState(state: WatchState): void;
  pollMs?: number;
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

export async function watch(deps: WatchDeps, signal: AbortSignal): Promise<void> {
  const { outbox, onState } = deps;
  const random = deps.random ?? Math.random;
  const api = new AuthApi(deps.fetch);
  const session = new Session({ home: deps.home, serverUrl: deps.serverUrl, api, now: deps.now });
  const decoder = new TextDecoder();
  // This machine's own events are in the feed too (the server sends them to the team's other
  // connections only).
  const tap = (transport: EventTransport) =>
    deps.onDelivered
      ? new StoredEventsTap(transport, (entry) => {
        deps.onDelivered?.(JSON.parse(decoder.decode(entry.json)));
      })
      : transport;
  const http = new Uploader({
    outbox,
    transport: tap(new HttpBatchTransport(deps.serverUrl, deps.fetch)),
    tokens: session,
    sleep,
    random,
  });
  const link = new LiveLink({
    serverUrl: deps.serverUrl,
    session,
    api,
    sleep,
    random,
    onState,
    onEvent: (event) => {
      deps.onEvent(event);
      const lamport = event.lamport_clock;
      if (typeof lamport === "number") outbox.observeClock(lamport).catch(() => {});
    },
  });
  const live = new Uploader({
    outbox,
    transport: tap(new WsTransport(() => link.connection)),
    tokens: session,
    sleep,
    random,
  });
  const holder: LeaseHolder = {
    owner: crypto.randomUUID(),
    pid: Deno.pid,
    hostname: hostname(),
    purpose: "sync watch",
  };

  /** Sync health after each delivery (a stalled watch shows in `sync status`). */
  const record = async (report: DrainReport) => {
    if (report.stopped?.kind === "out_of_time") return; // stopped or disconnected: says nothing
    const outcome = healthOutcome(report, new Date(deps.now()));
    if (outcome) await outbox.recordAttempt(outcome).catch(() => {});
  };

  /**
   * While connected: hold the lease, deliver whatever appears, until the socket closes or the
   * lease is lost (returned as the reason). Events the socket did not take (no ack in time, the
   * socket closed) go by HTTP at once, still under the lease.
   */
  const whileConnected = async (connection: WsConnection): Promise<string | void> => {
    // A login without a user name is written back as "unknown" by a token refresh.
    const userOf = (creds: Credentials) => creds.username ?? "unknown";
    const user = userOf(await session.credentials());
    let loginCheckedAt = Date.now();
    /**
     * The login, read again from the file: after a logout (by kittify or spec-kitty) this throws,
     * the connection ends and the link says "logged out"; another user's login reconnects.
     */
    const loginChanged = async (): Promise<string | null> => {
      loginCheckedAt = Date.now();
      session.forget();
      const now = userOf(await session.credentials());
      return now === user ? null : `logged in as ${now} now`;
    };
    const scope = new AbortController();
    let lostLease = false;
    const stop = () => scope.abort();
    connection.closed.then(stop);
    signal.addEventListener("abort", stop, { once: true });
    try {
      if (!(await takeLease(outbox, holder, scope.signal, onState))) return;
      let renewing: Promise<unknown> = Promise.resolve();
      const renewal = setInterval(() => {
        renewing = outbox.renewLease(holder, LEASE_TTL_MS).then((held) => {
          if (!held) {
            lostLease = true;
            stop();
          }
        }, () => {});
      }, LEASE_TTL_MS / 3);
      try {
        let seen = -1;
        while (!scope.signal.aborted) {
          const head = await outbox.head();
          const work = head.stats.count.pending > 0 && head.clock !== seen;
          if (work || Date.now() - loginCheckedAt >= LOGIN_CHECK_MS) {
            const changed = await loginChanged();
            if (changed) return changed;
          }
          if (work) {
            seen = head.clock;
            // A long drain reads the login again too (once a second, between batches): a logout
            // stops it after the batch in flight. `check` is the read in flight or the last one
            // that found a change; awaiting it after the drain rethrows a logout.
            const loginEnded = new AbortController();
            let check: Promise<string | null> | null = null;
            const onProgress = () => {
              if (check !== null || Date.now() - loginCheckedAt < LOGIN_CHECK_MS) return;
              const reading = check = loginChanged();
              reading.then(
                (changed) => changed === null ? (check = null) : loginEnded.abort(),
                () => loginEnded.abort(),
              );
            };
            const report = await live.drain({
              maxRetries: 0,
              signal: AbortSignal.any([scope.signal, loginEnded.signal]),
              onProgress,
            });
            await record(report);
            const changed = await check;
            if (changed) return changed;
            let delivered = report.synced + report.duplicates;
            if ((report.unanswered > 0 || report.stopped) && !signal.aborted && !lostLease) {
              const byHttp = await http.drain({
                maxRetries: 0,
                signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_FALLBACK_MS)]),
              });
              await record(byHttp);
              delivered += byHttp.synced + byHttp.duplicates;
            }
            if (delivered > 0) onState({ kind: "delivered", count: delivered });
          }
          await sleep(deps.pollMs ?? WATCH_POLL_MS, scope.signal).catch(() => {});
        }
      } finally {
        clearInterval(renewal);
        await renewing;
        await outbox.releaseLease(holder.owner).catch(() => {});
      }
    } finally {
      signal.removeEventListener("abort", stop);
    }
    if (lostLease) return "another process took the delivery lease";
  };

  // Stopping (SIGINT/SIGTERM) has one budget in all: closing, and the last delivery attempt.
  let deadline = Infinity;
  signal.addEventListener("abort", () => (deadline = Date.now() + EXIT_BUDGET_MS), {
    once: true,
  });
  await link.run(signal, whileConnected);
  const left = (await outbox.head()).stats.count.pending;
  const remaining = Math.max(0, deadline - Date.now());
  if (left > 0 && remaining > 0) {
    await runDelivery({ outbox, uploader: http, now: deps.now, sleep }, {
      purpose: "sync watch (stopping)",
      wait: false,
      drain: { signal: AbortSignal.timeout(remaining), maxRetries: 0 },
    }).catch(() => {});
  }
  onState({ kind: "stopped", pending: (await outbox.head()).stats.count.pending });
}

/** Takes the delivery lease, waiting while another process holds it; false if stopped first. */
async function takeLease(
  outbox: Outbox,
  holder: LeaseHolder,
  signal: AbortSignal,
  onState: (state: WatchState) => void,
): Promise<boolean> {
  let told = false;
  while (!signal.aborted) {
    const attempt = await outbox.acquireLease(holder, LEASE_TTL_MS);
    if (attempt.acquired) return true;
    if (!told) onState({ kind: "waiting", holder: attempt.holder });
    told = true;
    await sleep(250, signal).catch(() => {});
  }
  return false;
}
