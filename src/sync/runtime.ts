/**
 * The sync runtime of one repository root, built from dependencies the CLI entry hands in (the
 * user store, settings, credentials, `sync.auto_start`, a clock, `fetch`): no global state. It
 * is created by the first emit of a command (commands that emit nothing open nothing), and at
 * the end of the command it makes one bounded attempt to deliver what this process stored.
 *
 * One user store has one outbox per process, shared by the runtimes of every root the process
 * touches (`SyncRuntimes`).
 */
import { load } from "../common/load.ts";
import { type Credentials, isLoggedIn, teamSlugOf } from "../auth/credentials.ts";
import { sameServer } from "../auth/server_url.ts";
import type { Envelope } from "../events/types.ts";
import { KvOutbox } from "../store/kv_outbox.ts";
import type { Outbox } from "../store/outbox.ts";
import type { Fetch } from "../transport/http.ts";
import { type ClockFile, readClockFile, writeClockFile } from "./clock_file.ts";
import type { SyncConfig } from "./config.ts";

/** Everything a runtime works with, handed in by the CLI entry (tests hand in their own). */
export interface SyncRuntimeDeps {
  /** The user home (credentials, config.toml). */
  home(): string;
  /** Opens the user store (the same one for the whole process). */
  openStore(): Promise<Deno.Kv>;
  readSettings(home: string): Promise<SyncConfig>;
  readCredentials(home: string): Promise<Credentials | null>;
  /** `sync.auto_start` of a repository root (true outside a project). */
  autoStart(root: string): Promise<boolean>;
  /** ms since the epoch. */
  now(): number;
  fetch: Fetch;
  /**
   * The end-of-command budget, ms: the command with its delivery attempt ends this long after the
   * process started (but the attempt always gets {@link MIN_EXIT_ATTEMPT_MS}).
   */
  exitBudgetMs: number;
  /** ms since this process started. */
  uptimeMs(): number;
  /** Reports a problem in one line (stderr). */
  warn(message: string): void;
  /** This machine's node_id (written to clock.json when it has none). */
  nodeId(): Promise<string>;
}

/**
 * The default end-of-command budget: a command's delivery attempt ends 1.5 s after kittify started
 * running (`performance.now()` counts from there; the runtime's own start-up, ~0.1 s, comes before
 * it), token refresh included, however unresponsive the server.
 */
export const EXIT_BUDGET_MS = 1_500;

/** What the delivery attempt gets at least, after a command that itself ran long (ms). */
export const MIN_EXIT_ATTEMPT_MS = 300;

/** How long the delivery attempt at the end of a command may take, ms. */
export function exitAttemptMs(budgetMs: number, uptimeMs: number): number {
  return Math.max(budgetMs - uptimeMs, MIN_EXIT_ATTEMPT_MS);
}

export class SyncRuntime {
  #storedPending = 0;

  constructor(
    readonly root: string | null,
    /** The user store (the outbox lives in it, and other per-user state). */
    readonly store: Deno.Kv,
    readonly outbox: Outbox,
    readonly settings: SyncConfig,
    readonly autoStart: boolean,
    readonly credentials: Credentials | null,
    private readonly deps: SyncRuntimeDeps,
  ) {}

  /** The envelope's team_slug: the logged-in user's team, else `local`. */
  get teamSlug(): string {
    return teamSlugOf(this.credentials, new Date(this.deps.now()));
  }

  /**
   * Whether this runtime may use the network at all: auto-start on, and logged in (locally
   * judged) to the configured server. Otherwise events simply wait in the outbox.
   */
  get mayDeliver(): boolean {
    const creds = this.credentials;
    return this.autoStart && isLoggedIn(creds, new Date(this.deps.now())) &&
      creds?.serverUrl != null && sameServer(creds.serverUrl, this.settings.serverUrl);
  }

  /**
   * This process stored `event`. The first pending one starts loading the delivery code in the
   * background, so the attempt at exit does not wait for it.
   */
  stored(event: Envelope): void {
    if (!event.project_uuid) return;
    if (this.#storedPending++ === 0 && this.mayDeliver) {
      load<typeof import("./exit_delivery.ts")>(new URL("./exit_delivery.ts", import.meta.url))
        .catch(() => {});
    }
  }

  get storedPending(): number {
    return this.#storedPending;
  }
}

/** The runtimes of one process, one per repository root, and what they share. */
export class SyncRuntimes {
  readonly #byRoot = new Map<string, Promise<SyncRuntime>>();
  #shared:
    | Promise<{
      kv: Deno.Kv;
      outbox: KvOutbox;
      settings: SyncConfig;
      credentials: Credentials | null;
      clockFile: ClockFile | null;
    }>
    | undefined;

  constructor(readonly deps: SyncRuntimeDeps) {}

  /** The runtime of `root` (null: outside any project), created on first use. */
  forRoot(root: string | null): Promise<SyncRuntime> {
    const key = root ?? "";
    let runtime = this.#byRoot.get(key);
    if (!runtime) {
      runtime = this.#create(root);
      this.#byRoot.set(key, runtime);
      runtime.catch(() => this.#byRoot.delete(key));
    }
    return runtime;
  }

  #sharedState() {
    this.#shared ??= (async () => {
      const home = this.deps.home();
      const [settings, credentials] = await Promise.all([
        this.deps.readSettings(home),
        this.deps.readCredentials(home),
      ]);
      for (const problem of settings.problems) this.deps.warn(problem);
      const kv = await this.deps.openStore();
      const outbox = new KvOutbox(kv, settings.maxQueueSize, this.deps.now);
      const clockFile = await this.#continueClock(home, outbox);
      return { kv, outbox, settings, credentials, clockFile };
    })();
    this.#shared.catch(() => {
      this.#shared = undefined;
    });
    return this.#shared;
  }

  /**
   * One Lamport clock per node, whichever tool emits: the store's clock continues from the
   * higher of its own value and `clock.json` (which spec-kitty keeps, and kittify writes back).
   * A store whose clock is behind what kittify itself wrote there was lost or replaced: said
   * loudly, and the values still only go up.
   */
  async #continueClock(home: string, outbox: KvOutbox): Promise<ClockFile | null> {
    const file = await readClockFile(home);
    if (file === null) return null;
    const { clock } = await outbox.head();
    if (file.kittify_value !== null && clock < file.kittify_value) {
      this.deps.warn(
        `the kittify store in ${home} is behind the Lamport clock kittify had reached ` +
          `(${clock} < ${file.kittify_value}, see clock.json): it was lost or replaced, and ` +
          "the events that waited in it are gone. Lamport values go on from " +
          `${Math.max(file.value, file.kittify_value)}.`,
      );
    }
    const highest = Math.max(file.value, file.kittify_value ?? 0);
    if (highest > clock) await outbox.observeClock(highest);
    return file;
  }

  async #create(root: string | null): Promise<SyncRuntime> {
    const [shared, autoStart] = await Promise.all([
      this.#sharedState(),
      root === null ? true : this.deps.autoStart(root).catch(() => true),
    ]);
    return new SyncRuntime(
      root,
      shared.kv,
      shared.outbox,
      shared.settings,
      autoStart,
      shared.credentials,
      this.deps,
    );
  }

  /**
   * The end of the command: if a runtime stored pending events and may deliver, one bounded
   * attempt to deliver (within `exitBudgetMs` in total). Never throws, never prints more than
   * one warning line.
   */
  async close(): Promise<void> {
    const runtimes = await Promise.all(
      [...this.#byRoot.values()].map((r) => r.catch(() => null)),
    );
    this.#byRoot.clear();
    const deliverer = runtimes.find((r) => r !== null && r.storedPending > 0 && r.mayDeliver);
    // clock.json is written back while the delivery waits for the server.
    await Promise.all([
      deliverer ? this.#deliver(deliverer) : undefined,
      this.#writeClockBack().catch(() => {}),
    ]);
  }

  async #deliver(deliverer: SyncRuntime): Promise<void> {
    try {
      const { deliverAtExit } = await load<typeof import("./exit_delivery.ts")>(
        new URL("./exit_delivery.ts", import.meta.url),
      );
      await deliverAtExit(deliverer, this.deps);
    } catch (err) {
      this.deps.warn(
        `events were not delivered at exit (${err instanceof Error ? err.message : err}); ` +
          "see `kittify sync status`",
      );
    }
  }

  /** Once per process: the store's clock goes back to clock.json if it moved past it. */
  async #writeClockBack(): Promise<void> {
    if (!this.#shared) return;
    const { outbox, clockFile } = await this.#shared;
    const { clock } = await outbox.head();
    if (clock === 0 || clock === clockFile?.kittify_value) return;
    await writeClockFile(this.deps.home(), clock, await this.deps.nodeId());
  }
}
