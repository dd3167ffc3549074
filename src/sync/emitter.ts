/**
 * Emitting events for one command: build the envelope (identity, clock, team, git), validate it,
 * store it durably in the outbox. `emit` never throws for an event that cannot be stored: it
 * returns an outcome, and the caller decides what the user sees. No network is involved; the
 * runtime delivers at the end of the command.
 */
import { buildEnvelope, type EventInput } from "../events/envelope.ts";
import { encodedSize, sizeProblem } from "../events/size.ts";
import { formatTimestamp } from "../events/timestamp.ts";
import type { Envelope } from "../events/types.ts";
import { newEventId } from "../events/ulid.ts";
import { validateEnvelope } from "../events/validate.ts";
import type { ResolvedIdentity } from "../identity/types.ts";
import type { GitMetadata } from "./git_metadata.ts";
import type { SyncRuntimes } from "./runtime.ts";

export type { EventInput } from "../events/envelope.ts";

export type EmitOutcome =
  /** Stored durably, with its Lamport value. */
  | { status: "stored"; event: Envelope }
  /** Its guard no longer held (announced by someone else first): nothing stored. */
  | { status: "blocked" }
  /** The event breaks the envelope or payload rules, or is too large: nothing stored. */
  | { status: "invalid"; reason: string }
  /** It could not be stored (the user store is unavailable, ...). */
  | { status: "failed"; reason: string };

/** A validated envelope, not stored yet. */
export interface BuiltEvent {
  envelope: Envelope;
  /** Its encoded size. */
  bytes: number;
}

export interface EmitOptions {
  /**
   * Store the event only if this check still holds, setting its key in the same commit (see
   * `AppendItem.guard`): for "announce once" events whose mark must never exist without them.
   */
  guard?: Deno.AtomicCheck;
  /** A write-ahead intent this event fulfils: deleted by the commit that stores it. */
  settle?: Deno.KvKey;
}

/** What an emitter works with, handed in by the CLI entry. */
export interface EmitterDeps {
  runtimes: Pick<SyncRuntimes, "forRoot">;
  identity(root: string): Promise<ResolvedIdentity>;
  git(cwd: string): Promise<GitMetadata>;
  nodeId(): Promise<string>;
  /** A warning shown at most once per process for `key`. */
  warnOnce(key: string, message: string): void;
}

const NO_GIT: GitMetadata = { git_branch: null, head_commit_sha: null };

export class Emitter {
  constructor(
    /** Where the command runs (its checkout gives git_branch and head_commit_sha). */
    readonly cwd: string,
    /** The repository root (null outside any project: events are held, never sent). */
    readonly root: string | null,
    private readonly deps: EmitterDeps,
  ) {}

  /** Starts the lookups an emit needs, so they overlap with the command's own file work. */
  warmUp(): void {
    const pending: Promise<unknown>[] = [this.deps.runtimes.forRoot(this.root)];
    if (this.root !== null) pending.push(this.deps.identity(this.root), this.deps.git(this.cwd));
    for (const p of pending) p.catch(() => {});
  }

  async emit(input: EventInput, options: EmitOptions = {}): Promise<EmitOutcome> {
    try {
      const built = await this.build(input);
      return "envelope" in built ? await this.store(built, options) : built;
    } catch (err) {
      return { status: "failed", reason: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Builds and validates the envelope of `input` without storing it (its Lamport value is given
   * when it is stored): a built event can be kept as a write-ahead intent and stored later,
   * exactly once, by its event_id. Returns why not when the event is invalid or too large.
   */
  async build(input: EventInput): Promise<BuiltEvent | EmitOutcome> {
    const root = this.root;
    const [resolved, runtime, git, nodeId] = await Promise.all([
      root === null ? null : this.deps.identity(root),
      this.deps.runtimes.forRoot(root),
      // Branch and HEAD of the checkout the command runs in: in a linked worktree, the
      // worktree's (the identity is still the main checkout's).
      root === null ? NO_GIT : this.deps.git(this.cwd),
      this.deps.nodeId(),
    ]);
    const identity = resolved?.identity;
    const envelope = buildEnvelope(input, {
      eventId: newEventId(),
      nodeId,
      timestamp: formatTimestamp(),
      teamSlug: runtime.teamSlug,
      project: identity
        ? { uuid: identity.project_uuid, slug: identity.project_slug, repoSlug: identity.repo_slug }
        : null,
      git,
    });
    const problems = validateEnvelope(envelope);
    if (problems.length > 0) {
      return {
        status: "invalid",
        reason: `invalid ${input.event_type} event: ${problems.join("; ")}`,
      };
    }
    const bytes = encodedSize(envelope);
    const tooBig = sizeProblem(bytes);
    if (tooBig) {
      return { status: "invalid", reason: `${input.event_type} event rejected: ${tooBig}` };
    }
    return { envelope, bytes };
  }

  /**
   * Stores a built event. Storing the same built event twice stores it once: the second time
   * (another process fulfilled the same intent first) the outcome is `stored` all the same.
   */
  async store(built: BuiltEvent, options: EmitOptions = {}): Promise<EmitOutcome> {
    const { envelope, bytes } = built;
    const runtime = await this.deps.runtimes.forRoot(this.root);
    const state = envelope.project_uuid ? "pending" : "held";
    if (state === "held") {
      this.deps.warnOnce(
        "emit:held",
        "not inside a project: events are kept on this machine (held) and never sent",
      );
    }
    const outcome = await runtime.outbox.append({
      event: envelope,
      state,
      bytes,
      guard: options.guard,
      settle: options.settle,
    });
    if (outcome.evicted > 0) {
      this.deps.warnOnce(
        "emit:evicted",
        `the outbox is full (max_queue_size ${runtime.outbox.capacity}): the oldest ${state} ` +
          "events are being evicted to make room; see `kittify sync status`",
      );
    }
    switch (outcome.status) {
      case "blocked":
        return { status: "blocked" };
      case "evicted":
        return {
          status: "failed",
          reason: "the outbox is full and the event was evicted on arrival",
        };
      case "duplicate":
        if (options.settle) return { status: "stored", event: envelope };
        return { status: "failed", reason: `event id ${envelope.event_id} is already stored` };
      case "stored":
        runtime.stored(outcome.event!);
        return { status: "stored", event: outcome.event! };
    }
  }

  /** The user store (write-ahead intents of the work commands live there). */
  async userStore(): Promise<Deno.Kv> {
    return (await this.deps.runtimes.forRoot(this.root)).store;
  }
}

/** The warning for an event that was not stored, for commands that go on without it. */
export function notStoredWarning(input: EventInput, outcome: EmitOutcome): string | null {
  if (outcome.status === "invalid") return `event not stored: ${outcome.reason}`;
  if (outcome.status === "failed") return `${input.event_type} event not stored: ${outcome.reason}`;
  return null;
}
