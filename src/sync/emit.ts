/**
 * Emitting an event: build the envelope (identity, clock, team, git), validate it, and store it
 * durably in the outbox. `emit` never throws: a failure is one warning on stderr and `null`, so
 * it never changes the outcome of the command that emits. `storeEvent` is the throwing variant
 * for `kittify emit`.
 */
import { UserError } from "../common/errors.ts";
import { warn, warnOnce } from "../common/warnings.ts";
import { buildEnvelope, type EventInput } from "../events/envelope.ts";
import { encodedSize, sizeProblem } from "../events/size.ts";
import { formatTimestamp } from "../events/timestamp.ts";
import type { Envelope } from "../events/types.ts";
import { newEventId } from "../events/ulid.ts";
import { validateEnvelope } from "../events/validate.ts";
import { localNodeId } from "../identity/node_id.ts";
import { findRepoRoot } from "../identity/repo_root.ts";
import { resolveAtRoot } from "../identity/resolve.ts";
import { gitMetadata } from "./git_metadata.ts";
import { syncRuntime } from "./runtime.ts";

export type { EventInput } from "../events/envelope.ts";

export interface EmitOptions {
  /** Where the emitting command runs (default: the process's working directory). */
  cwd?: string;
  /**
   * Store the event only if this check still holds, setting its key in the same commit (see
   * `AppendItem.guard`): for "announce once" events whose mark must never exist without them.
   */
  guard?: Deno.AtomicCheck;
}

/** The event was invalid or too large; nothing was stored. */
export class EventRejectedError extends UserError {}

/** The event's guard no longer held (it was announced by someone else); nothing was stored. */
export class GuardBlockedError extends Error {}

const NO_GIT = { git_branch: null, head_commit_sha: null };

const roots = new Map<string, Promise<string | null>>();

/** The repository root around `cwd`, looked up once per directory and process. */
function repoRootOf(cwd: string): Promise<string | null> {
  let root = roots.get(cwd);
  if (!root) {
    root = findRepoRoot(cwd);
    roots.set(cwd, root);
  }
  return root;
}

/** Builds, validates and durably stores one event; throws if it cannot be stored. */
export async function storeEvent(input: EventInput, options: EmitOptions = {}): Promise<Envelope> {
  const cwd = options.cwd ?? Deno.cwd();
  const root = await repoRootOf(cwd);
  const [resolved, runtime, git, nodeId] = await Promise.all([
    root === null ? null : resolveAtRoot(root),
    syncRuntime(root),
    // Branch and HEAD of the checkout the command runs in: in a linked worktree, the worktree's
    // (the identity is still the main checkout's).
    root === null ? NO_GIT : gitMetadata(cwd),
    localNodeId(),
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
    throw new EventRejectedError(`invalid ${input.event_type} event: ${problems.join("; ")}`);
  }
  const bytes = encodedSize(envelope);
  const tooBig = sizeProblem(bytes);
  if (tooBig) throw new EventRejectedError(`${input.event_type} event rejected: ${tooBig}`);
  const state = envelope.project_uuid ? "pending" : "held";
  if (state === "held") {
    warnOnce(
      "emit:held",
      "not inside a project: events are kept on this machine (held) and never sent",
    );
  }
  const outcome = await runtime.outbox.append({
    event: envelope,
    state,
    bytes,
    guard: options.guard,
  });
  if (outcome.status === "blocked") {
    throw new GuardBlockedError(`${input.event_type} ${input.aggregate_id} was announced already`);
  }
  if (outcome.evicted > 0) {
    warnOnce(
      "emit:evicted",
      `the outbox is full (max_queue_size ${runtime.outbox.capacity}): the oldest ${state} ` +
        "events are being evicted to make room; see `kittify sync status`",
    );
  }
  if (outcome.status === "evicted") {
    throw new Error("the outbox is full and the event was evicted on arrival");
  }
  if (outcome.event === null) throw new Error(`event id ${envelope.event_id} is already stored`);
  if (state === "pending") runtime.delivery.notify(outcome.event);
  return outcome.event;
}

/**
 * Emits one event: returns the stored envelope, or null after printing one warning when it
 * could not be stored. Never throws.
 */
export async function emit(input: EventInput, options: EmitOptions = {}): Promise<Envelope | null> {
  try {
    return await storeEvent(input, options);
  } catch (err) {
    warnNotStored(input, err);
    return null;
  }
}

/**
 * Emits one event only if `guard` still holds, setting the guard's key in the same commit.
 * `blocked`: someone else set it first (nothing stored, no warning); `failed`: not stored, one
 * warning printed. Never throws.
 */
export async function emitGuarded(
  input: EventInput,
  guard: Deno.AtomicCheck,
  options: Omit<EmitOptions, "guard"> = {},
): Promise<"stored" | "blocked" | "failed"> {
  try {
    await storeEvent(input, { ...options, guard });
    return "stored";
  } catch (err) {
    if (err instanceof GuardBlockedError) return "blocked";
    warnNotStored(input, err);
    return "failed";
  }
}

function warnNotStored(input: EventInput, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  warn(
    err instanceof EventRejectedError
      ? `event not stored: ${reason}`
      : `${input.event_type} event not stored: ${reason}`,
  );
}
