/**
 * Retry delays: exponential from 0.5 s, doubling to a 30 s ceiling, with jitter so that many
 * clients do not retry in step; a server's Retry-After is honoured up to the same ceiling.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

/** The wait before retry number `attempt` (0-based): half fixed, half random (pure). */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | null,
  random: () => number,
): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  if (retryAfterMs === null) return Math.round(jittered);
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(retryAfterMs, jittered)));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
