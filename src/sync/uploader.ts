/**
 * Draining the outbox to the server: oldest pending events first, one request in flight, each
 * verdict applied before the next batch is taken. What the server says decides what happens:
 *
 * - per-event results: success and duplicate leave the outbox, a rejection is one poison strike,
 *   an event the server did not name is left for the next pass;
 * - a 400 naming the events at fault: those are struck, the rest are sent again without them;
 * - a 400 naming nothing: the batch is bisected (order kept) until the poison event is alone;
 * - 413: the batch is halved (and stays smaller); a single event that is too large is dead;
 * - 401: the session is renewed once, then delivery stops and asks for a login;
 * - network failures, timeouts, 408, 429, 5xx: backoff with jitter (Retry-After honoured), never
 *   a strike; after `maxRetries` failures in a row delivery stops and says why;
 * - 403, 412, other answers: delivery stops with the server's reason and what to do.
 *
 * Events a pass struck or skipped are not sent again in the same pass, so a poison event never
 * holds up the events behind it.
 *
 * Local work overlaps the request in flight: the next batch is read from the outbox while the
 * current one is out, and a batch's verdicts are committed while the next one is out (in order,
 * at most one batch behind). Only one request is ever in flight.
 */
import { KittifyError } from "../common/errors.ts";
import { MAX_BATCH_EVENTS } from "../protocol/limits.ts";
import type { TokenSource } from "../auth/session.ts";
import type { DeliveryResult, Outbox, PendingEntry } from "../store/outbox.ts";
import { AuthRefused } from "../transport/auth_api.ts";
import type { DeliveryAnswer, EventTransport } from "../transport/event_transport.ts";
import { TransportError } from "../transport/http.ts";
import { backoffDelay } from "./backoff.ts";
import { type ErrorCategory, errorCategory } from "./error_category.ts";

/** Bytes of event JSON per request: far below the server's 16 MiB, and bounded client memory. */
export const CLIENT_BATCH_BYTES = 4 * 1024 * 1024;

export interface UploaderDeps {
  outbox: Outbox;
  transport: EventTransport;
  tokens: TokenSource;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export interface DrainOptions {
  /** Ends the drain early (the exit budget, SIGINT). */
  signal?: AbortSignal;
  /** Transient failures in a row tolerated before stopping (0: a single attempt). */
  maxRetries: number;
  /** ...and no retry starts later than this after the first of them, ms (default: no limit). */
  retryWindowMs?: number;
  /** Called before each wait for a retry (so a long wait is never silent). */
  onRetry?(retry: { reason: string; delayMs: number; attempt: number }): void;
  maxEvents?: number;
  maxBytes?: number;
  /** Called after each applied batch with the number of events that got a verdict so far. */
  onProgress?(handled: number): void;
}

export interface DeliveryFailure {
  event_id: string;
  error: string;
  category: ErrorCategory;
  /** Moved to the dead letters by this failure. */
  dead: boolean;
}

/** Why a drain stopped before the queue was empty. */
export interface StopReason {
  kind: "auth" | "transient" | "server" | "out_of_time";
  reason: string;
  /** For the summary: auth_expired, network, server_error, forbidden, ... */
  category: string;
  hint?: string;
}

export interface DrainReport {
  synced: number;
  duplicates: number;
  /** Strikes given (events still pending). */
  rejected: number;
  /** Events moved to the dead letters. */
  dead: number;
  /** Events the server left out of its answer (still pending). */
  unanswered: number;
  failures: DeliveryFailure[];
  stopped: StopReason | null;
  requests: number;
}

class Stop extends Error {
  constructor(readonly stop: StopReason) {
    super(stop.reason);
  }
}

export class Uploader {
  #maxEvents = MAX_BATCH_EVENTS;
  #maxBytes = CLIENT_BATCH_BYTES;
  #report: DrainReport = emptyDrain();
  #options: DrainOptions = { maxRetries: 0 };
  /** Verdict commits not yet finished, oldest first; each waits for the one before. */
  #applies: Promise<void>[] = [];
  /** Single events refused as too large in this drain. */
  #tooLargeAlone = 0;

  constructor(private readonly deps: UploaderDeps) {}

  /** Delivers pending events until none is left for this pass, or until it has to stop. */
  async drain(options: DrainOptions): Promise<DrainReport> {
    this.#options = options;
    this.#maxEvents = Math.min(options.maxEvents ?? MAX_BATCH_EVENTS, MAX_BATCH_EVENTS);
    this.#maxBytes = options.maxBytes ?? CLIENT_BATCH_BYTES;
    this.#report = emptyDrain();
    this.#applies = [];
    this.#tooLargeAlone = 0;
    let cursor = 0;
    let next = this.#take(cursor);
    try {
      for (;;) {
        this.#checkTime();
        const batch = await next;
        if (batch.length === 0) break;
        cursor = batch[batch.length - 1].seq;
        const size = this.#maxEvents;
        next = this.#take(cursor);
        await this.#deliver(batch);
        // A 413 made batches smaller: the batch read ahead is read again at the new size.
        if (this.#maxEvents !== size) next = this.#take(cursor);
      }
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      this.#report.stopped = err.stop;
    } finally {
      // Verdicts that arrived are committed whatever happens next.
      await this.#settle(0);
    }
    return this.#report;
  }

  /** The next pending events after `cursor` (read ahead: failures surface when awaited). */
  #take(cursor: number): Promise<PendingEntry[]> {
    const taking = this.deps.outbox.takePending({
      after: cursor,
      maxEvents: this.#maxEvents,
      maxBytes: this.#maxBytes,
    });
    taking.catch(() => {});
    return taking;
  }

  /** Waits until at most `outstanding` verdict commits are unfinished. */
  async #settle(outstanding: number): Promise<void> {
    while (this.#applies.length > outstanding) await this.#applies.shift();
  }

  /** Delivers `entries`, splitting them as the server's answers require. */
  async #deliver(entries: readonly PendingEntry[]): Promise<void> {
    const answer = await this.#send(entries);
    switch (answer.kind) {
      case "results": {
        const duplicates = new Set<string>();
        const results = entries.flatMap((e): DeliveryResult[] => {
          const verdict = answer.verdicts.get(e.event_id);
          if (!verdict) return [];
          if (verdict.status === "rejected") {
            return [{ ...idOf(e), verdict: { kind: "strike", reason: verdict.reason } }];
          }
          if (verdict.status === "duplicate") duplicates.add(e.event_id);
          return [{ ...idOf(e), verdict: { kind: "synced" } }];
        });
        // Events the server did not answer for stay pending (the next pass sends them again).
        this.#report.unanswered += entries.length - results.length;
        return this.#apply(results, duplicates);
      }
      case "named_rejections": {
        this.#apply(entries.flatMap((e): DeliveryResult[] => {
          const reason = answer.rejected.get(e.event_id);
          return reason === undefined ? [] : [{ ...idOf(e), verdict: { kind: "strike", reason } }];
        }));
        const rest = entries.filter((e) => !answer.rejected.has(e.event_id));
        return rest.length > 0 ? await this.#deliver(rest) : undefined;
      }
      case "bad_request":
        if (entries.length === 1) {
          return this.#apply([{
            ...idOf(entries[0]),
            verdict: { kind: "strike", reason: answer.error },
          }]);
        }
        return await this.#halves(entries);
      case "too_large":
        if (entries.length === 1) {
          // One event refused alone: that event is the problem, once. When a second one is too,
          // the server refuses events of any size (a proxy limit): stop instead of burying them.
          if (this.#tooLargeAlone++ > 0) {
            throw new Stop({
              kind: "server",
              category: "server_limit",
              reason: `the server refuses single events as too large (HTTP 413: ${answer.error})`,
              hint: "raise the request size limit of the server or its proxy (at least 1 MiB)",
            });
          }
          const reason = `too large for the server on its own (${entries[0].bytes} bytes): ` +
            answer.error;
          return this.#apply([{ ...idOf(entries[0]), verdict: { kind: "dead", reason } }]);
        }
        this.#maxEvents = Math.max(1, Math.ceil(entries.length / 2));
        this.#maxBytes = Math.max(1, Math.floor(this.#maxBytes / 2));
        return await this.#halves(entries);
      default:
        throw new Error(`unexpected delivery answer ${answer.kind}`);
    }
  }

  async #halves(entries: readonly PendingEntry[]): Promise<void> {
    const middle = Math.ceil(entries.length / 2);
    await this.#deliver(entries.slice(0, middle));
    await this.#deliver(entries.slice(middle));
  }

  /**
   * Commits verdicts after the commits before them, without waiting for it here. The report
   * counts what the commits did (a result another process applied first is not counted).
   */
  #apply(results: DeliveryResult[], duplicates: ReadonlySet<string> = new Set()): void {
    if (results.length === 0) return;
    const previous = this.#applies.at(-1) ?? Promise.resolve();
    const applying = previous.then(async () => {
      const applied = await this.deps.outbox.applyResults(results);
      const stale = new Set(applied.stale_ids);
      const dead = new Set(applied.dead_ids);
      this.#report.rejected += applied.struck;
      this.#report.dead += applied.dead;
      for (const r of results) {
        if (stale.has(r.event_id)) continue;
        if (r.verdict.kind === "synced") {
          if (duplicates.has(r.event_id)) this.#report.duplicates++;
          else this.#report.synced++;
          continue;
        }
        this.#report.failures.push({
          event_id: r.event_id,
          error: r.verdict.reason,
          category: errorCategory(r.verdict.reason),
          dead: dead.has(r.event_id),
        });
      }
      this.#options.onProgress?.(
        this.#report.synced + this.#report.duplicates + this.#report.rejected +
          this.#report.dead,
      );
    });
    applying.catch(() => {}); // surfaced by #settle
    this.#applies.push(applying);
  }

  /**
   * One request's worth of answer, after renewing the session once on a 401 and retrying
   * transient failures with backoff. Throws {@link Stop} when delivery cannot go on.
   */
  async #send(entries: readonly PendingEntry[]): Promise<DeliveryAnswer> {
    let renewed = false;
    let firstFailureAt: number | undefined;
    for (let failures = 0;; failures++) {
      this.#checkTime();
      // At most one batch's verdicts may still be committing while the next request goes out.
      await this.#settle(1);
      let answer: DeliveryAnswer;
      let token = "";
      try {
        token = await this.deps.tokens.access(this.#options.signal);
        this.#report.requests++;
        answer = await this.deps.transport.send(entries, token, this.#options.signal);
        if (answer.kind === "unauthorized" && !renewed) {
          renewed = true;
          token = await this.deps.tokens.renew(token, this.#options.signal);
          this.#report.requests++;
          answer = await this.deps.transport.send(entries, token, this.#options.signal);
        }
      } catch (err) {
        answer = this.#failureAnswer(err);
      }
      if (answer.kind === "unauthorized") {
        throw new Stop({
          kind: "auth",
          category: "auth_expired",
          reason: `the server refused the session (${answer.error})`,
          hint: "run `kittify auth login`",
        });
      }
      if (answer.kind === "stop") {
        throw new Stop({
          kind: "server",
          category: answer.category,
          reason: answer.reason,
          hint: answer.hint,
        });
      }
      if (answer.kind !== "retry") return answer;
      const since = (firstFailureAt ??= Date.now());
      const windowMs = this.#options.retryWindowMs ?? Infinity;
      if (failures >= this.#options.maxRetries || Date.now() - since >= windowMs) {
        throw new Stop({
          kind: "transient",
          category: transientCategory(answer.reason),
          reason: answer.reason,
          hint: "events wait in the outbox; `kittify sync now` retries",
        });
      }
      const delay = backoffDelay(failures, answer.retryAfterMs, this.deps.random);
      this.#options.onRetry?.({ reason: answer.reason, delayMs: delay, attempt: failures + 1 });
      try {
        await this.deps.sleep(delay, this.#options.signal);
      } catch {
        this.#checkTime();
      }
    }
  }

  /** A thrown failure as an answer: user-facing auth errors stop, transport errors retry. */
  #failureAnswer(err: unknown): DeliveryAnswer {
    this.#checkTime();
    if (err instanceof TransportError) {
      return { kind: "retry", reason: err.message, retryAfterMs: null };
    }
    if (err instanceof AuthRefused) {
      if (err.refusal === "unsupported_protocol") {
        return {
          kind: "stop",
          category: "unsupported_protocol",
          reason: err.message,
          hint: "use a kittify release that speaks the server's protocol version",
        };
      }
      return { kind: "retry", reason: err.message, retryAfterMs: null };
    }
    if (err instanceof KittifyError) {
      throw new Stop({
        kind: "auth",
        category: "auth_expired",
        reason: err.message,
        hint: err.hint,
      });
    }
    throw err;
  }

  #checkTime(): void {
    if (this.#options.signal?.aborted) {
      throw new Stop({
        kind: "out_of_time",
        category: "out_of_time",
        reason: "stopped before every event was delivered (out of time)",
      });
    }
  }
}

function idOf(e: PendingEntry): { seq: number; event_id: string; attempts: number } {
  return { seq: e.seq, event_id: e.event_id, attempts: e.attempts };
}

function emptyDrain(): DrainReport {
  return {
    synced: 0,
    duplicates: 0,
    rejected: 0,
    dead: 0,
    unanswered: 0,
    failures: [],
    stopped: null,
    requests: 0,
  };
}

function transientCategory(reason: string): string {
  return /^HTTP \d/.test(reason) ? "server_error" : "network";
}
