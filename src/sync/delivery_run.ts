/**
 * One delivery run: take the upload lease (one uploader per user store at a time), drain, record
 * the outcome in the sync health, release the lease. The lease is renewed while the run works, so
 * it lapses within seconds of a crash.
 */
import type { AttemptOutcome, Lease, LeaseHolder, Outbox } from "../store/outbox.ts";
import type { DrainOptions, DrainReport, Uploader } from "./uploader.ts";

/** Lease time to live, ms: a crashed holder blocks others at most this long. */
export const LEASE_TTL_MS = 3_000;
const LEASE_POLL_MS = 100;

export interface DeliveryRunDeps {
  outbox: Outbox;
  uploader: Uploader;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface DeliveryRunOptions {
  /** What the holder is doing, shown to processes that wait: `sync now`, `exit delivery`. */
  purpose: string;
  /** Wait while another process holds the lease (else give up at once). */
  wait: boolean;
  drain: DrainOptions;
  /** Called once when the run has to wait for another uploader. */
  onWaiting?(holder: Lease): void;
}

export type DeliveryRunResult =
  | { status: "delivered"; report: DrainReport }
  | { status: "busy"; holder: Lease };

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

export async function runDelivery(
  deps: DeliveryRunDeps,
  options: DeliveryRunOptions,
): Promise<DeliveryRunResult> {
  const { outbox } = deps;
  const holder: LeaseHolder = {
    owner: crypto.randomUUID(),
    pid: Deno.pid,
    hostname: hostname(),
    purpose: options.purpose,
  };
  for (let announced = false;;) {
    const attempt = await outbox.acquireLease(holder, LEASE_TTL_MS);
    if (attempt.acquired) break;
    if (!options.wait || options.drain.signal?.aborted) {
      return { status: "busy", holder: attempt.holder };
    }
    if (!announced) options.onWaiting?.(attempt.holder);
    announced = true;
    try {
      await deps.sleep(LEASE_POLL_MS, options.drain.signal);
    } catch {
      return { status: "busy", holder: attempt.holder };
    }
  }
  const lost = new AbortController();
  let renewing: Promise<unknown> = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = outbox.renewLease(holder, LEASE_TTL_MS).then(
      (held) => held || lost.abort(),
      () => {},
    );
  }, LEASE_TTL_MS / 3);
  let report: DrainReport;
  try {
    const signal = options.drain.signal
      ? AbortSignal.any([options.drain.signal, lost.signal])
      : lost.signal;
    report = await deps.uploader.drain({ ...options.drain, signal });
  } catch (err) {
    await stopRenewing();
    await outbox.releaseLease(holder.owner).catch(() => {});
    throw err;
  }
  await stopRenewing();
  // The outcome joins the sync health in the commit that releases the lease.
  const outcome = healthOutcome(report, new Date(deps.now())) ?? undefined;
  try {
    await outbox.releaseLease(holder.owner, outcome);
  } catch (err) {
    // The outcome could not be recorded: the lease is released all the same.
    await outbox.releaseLease(holder.owner).catch(() => {});
    throw err;
  }
  return { status: "delivered", report };

  async function stopRenewing(): Promise<void> {
    clearInterval(renewal);
    await renewing; // a renewal in flight must not outlive the release
  }
}

/** What a drain means for the sync health (null: nothing was attempted). */
export function healthOutcome(report: DrainReport, at: Date): AttemptOutcome | null {
  const delivered = report.synced + report.duplicates + report.rejected + report.dead;
  // Rejected events are a failure to show, even when the others went through.
  const [rejected] = report.failures;
  if (rejected && report.stopped === null) {
    return {
      ok: false,
      at,
      reason: `${report.failures.length} event(s) rejected: ${rejected.error}`,
      category: rejected.category,
    };
  }
  if (report.stopped === null) return report.requests > 0 ? { ok: true, at } : null;
  if (report.stopped.kind === "out_of_time" && delivered > 0) return { ok: true, at };
  const reason = report.stopped.kind === "out_of_time"
    ? "no answer from the server within the time allowed"
    : report.stopped.reason;
  const category = report.stopped.kind === "out_of_time" ? "timeout" : report.stopped.category;
  return { ok: false, at, reason, category };
}
