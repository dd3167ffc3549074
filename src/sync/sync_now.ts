/**
 * `sync now`: drain the whole outbox to the server, waiting for another uploader to finish
 * first, retrying transient failures with backoff. Not logged in: no network at all.
 */
import { UserError } from "../common/errors.ts";
import type { Lease } from "../store/outbox.ts";
import { syncClient, type SyncClientDeps } from "./client.ts";
import { runDelivery } from "./delivery_run.ts";
import { summarize, type SyncNowSummary } from "./summary.ts";

/** Transient failures in a row before `sync now` gives up (0.5+1+2+4+8 s of backoff)... */
export const SYNC_NOW_RETRIES = 5;
/** ...or once a minute has passed since the first of them (a server that never answers). */
export const SYNC_NOW_RETRY_WINDOW_MS = 60_000;

export type SyncNowDeps = SyncClientDeps;

export interface SyncNowHooks {
  /** The number of pending events when delivery starts. */
  onStart?(pending: number): void;
  onProgress?(handled: number): void;
  onWaiting?(holder: Lease): void;
  onRetry?(retry: { reason: string; delayMs: number; attempt: number }): void;
}

export type SyncNowResult =
  | { kind: "empty"; held: number; dead_letters: number }
  | { kind: "done"; summary: SyncNowSummary };

export async function syncNow(deps: SyncNowDeps, hooks: SyncNowHooks = {}): Promise<SyncNowResult> {
  const before = (await deps.outbox.head()).stats.count;
  if (before.pending === 0) return { kind: "empty", held: before.held, dead_letters: before.dead };
  const client = syncClient(deps);
  try {
    await client.session.credentials();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(
      `${err.message}: ${before.pending} event(s) wait in the outbox and were not sent`,
      { hint: err.hint },
    );
  }
  hooks.onStart?.(before.pending);
  const result = await runDelivery(client, {
    purpose: "sync now",
    wait: true,
    drain: {
      maxRetries: SYNC_NOW_RETRIES,
      retryWindowMs: SYNC_NOW_RETRY_WINDOW_MS,
      onProgress: hooks.onProgress,
      onRetry: hooks.onRetry,
    },
    onWaiting: hooks.onWaiting,
  });
  if (result.status === "busy") throw new Error("the delivery lease could not be taken");
  const after = (await deps.outbox.head()).stats.count;
  return { kind: "done", summary: summarize(result.report, after) };
}
