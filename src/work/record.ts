/**
 * Storing the events of the work commands. A file change that happened stands even when its
 * event cannot be stored: the command then warns (the emitter has already said why) and the
 * event is never invented later. Failures after validation are logged as ErrorLogged(runtime).
 */
import { describeError, KittifyError, UserError } from "../common/errors.ts";
import { warn } from "../common/warnings.ts";
import { ReadOnlyFileError } from "../identity/locked_update.ts";
import { type EmitOutcome, type Emitter, notStoredWarning } from "../sync/emitter.ts";
import { type EventInput, runtimeErrorLogged } from "./events.ts";
import { FrontmatterError } from "./frontmatter.ts";
import { settleIntents } from "./intents.ts";
import type { FeatureTarget } from "./target.ts";

/**
 * Before a command changes lanes: starts the lookups the emitter will need (identity, git
 * metadata, the user store) so they overlap with the command's own file work, and settles the
 * write-ahead intents a killed command left in this feature (intents.ts), so files and events
 * agree before anything else changes. Called once the command has passed validation.
 */
export async function beginLaneChanges(target: FeatureTarget): Promise<void> {
  target.emitter.warmUp();
  // A store that cannot be used is reported when the event cannot be stored; the file changes
  // go ahead as before.
  await settleIntents(target.emitter, { root: target.root, feature: target.feature })
    .catch(() => {});
}

/** Stores one event; false (after a warning naming `what`) when it could not be stored. */
export async function record(emitter: Emitter, event: EventInput, what: string): Promise<boolean> {
  return reportOutcome(event, await emitter.emit(event), what);
}

/** Whether `outcome` stored `event`; warns (naming `what`) when it did not. */
export function reportOutcome(event: EventInput, outcome: EmitOutcome, what: string): boolean {
  const problem = notStoredWarning(event, outcome);
  if (problem) {
    warn(problem);
    warn(`${what}, but its ${event.event_type} event was not recorded`);
  }
  return outcome.status === "stored";
}

/**
 * Stores one "announce once" event together with its mark (`guard`, see announcements.ts).
 * `blocked` means it was announced already; `failed` comes after a warning naming `what`.
 */
export async function recordOnce(
  emitter: Emitter,
  event: EventInput,
  guard: Deno.AtomicCheck,
  what: string,
): Promise<"stored" | "blocked" | "failed"> {
  const outcome = await emitter.emit(event, { guard });
  if (outcome.status === "stored" || outcome.status === "blocked") return outcome.status;
  warn(notStoredWarning(event, outcome)!);
  warn(`${what}, but its ${event.event_type} event was not recorded`);
  return "failed";
}

/**
 * Turns a failure of the operation itself (e.g. the file cannot be written) into one
 * ErrorLogged(runtime) event and the user error the command exits with. User errors pass
 * through unchanged: they are validation, not runtime failures. Anything else that is not a
 * file-system failure is a bug: it is logged too, and returned as it is (internal error).
 */
export async function runtimeFailure(
  err: unknown,
  emitter: Emitter,
  context: { doing: string; wpId?: string; agentId?: string },
): Promise<unknown> {
  if (err instanceof KittifyError) return err;
  const message = `${context.doing} failed: ${describeError(err)}`;
  const event = runtimeErrorLogged(message, context);
  const problem = notStoredWarning(event, await emitter.emit(event));
  if (problem) warn(problem);
  return isOperational(err) ? new UserError(message, { cause: err }) : err;
}
/** Failures of the environment (files, permissions), as opposed to bugs in kittify. */
function isOperational(err: unknown): boolean {
  if (err instanceof FrontmatterError || err instanceof ReadOnlyFileError) return true;
  if (Object.values(Deno.errors).some((kind) => err instanceof kind)) return true;
  return typeof (err as { code?: unknown } | null)?.code === "string";
}
