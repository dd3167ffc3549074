/**
 * Storing the events of the work commands. A file change that happened stands even when its
 * event cannot be stored: the command then warns (the emitter has already said why) and the
 * event is never invented later. Failures after validation are logged as ErrorLogged(runtime).
 */
import { describeError, KittifyError, UserError } from "../common/errors.ts";
import { warn } from "../common/warnings.ts";
import { ReadOnlyFileError } from "../identity/locked_update.ts";
import { resolveAtRoot } from "../identity/resolve.ts";
import { userKv } from "../store/open.ts";
import { gitMetadata } from "../sync/git_metadata.ts";
import { emit, emitGuarded } from "../sync/emit.ts";
import { type EventInput, runtimeErrorLogged } from "./events.ts";
import { FrontmatterError } from "./frontmatter.ts";

/**
 * Starts the lookups the emitter will need (identity, git metadata, opening the user store) so
 * they overlap with the command's own file work. Called once a command has passed validation
 * and is about to emit; all of them are cached per process, and any failure is left for `emit`
 * to report.
 */
export function prepareToRecord(target: { root: string; cwd: string }): void {
  for (const pending of [resolveAtRoot(target.root), gitMetadata(target.cwd), userKv()]) {
    pending.catch(() => {});
  }
}

/** Stores one event; false (after a warning naming `what`) when it could not be stored. */
export async function record(event: EventInput, cwd: string, what: string): Promise<boolean> {
  const stored = await emit(event, { cwd });
  if (stored === null) warn(`${what}, but its ${event.event_type} event was not recorded`);
  return stored !== null;
}

/**
 * Stores one "announce once" event together with its mark (`guard`, see announcements.ts).
 * `blocked` means it was announced already; `failed` comes after a warning naming `what`.
 */
export async function recordOnce(
  event: EventInput,
  guard: Deno.AtomicCheck,
  cwd: string,
  what: string,
): Promise<"stored" | "blocked" | "failed"> {
  const outcome = await emitGuarded(event, guard, { cwd });
  if (outcome === "failed") warn(`${what}, but its ${event.event_type} event was not recorded`);
  return outcome;
}

/**
 * Turns a failure of the operation itself (e.g. the file cannot be written) into one
 * ErrorLogged(runtime) event and the user error the command exits with. User errors pass
 * through unchanged: they are validation, not runtime failures. Anything else that is not a
 * file-system failure is a bug: it is logged too, and returned as it is (internal error).
 */
export async function runtimeFailure(
  err: unknown,
  cwd: string,
  context: { doing: string; wpId?: string; agentId?: string },
): Promise<unknown> {
  if (err instanceof KittifyError) return err;
  const message = `${context.doing} failed: ${describeError(err)}`;
  await emit(runtimeErrorLogged(message, context), { cwd });
  return isOperational(err) ? new UserError(message, { cause: err }) : err;
}

/** Failures of the environment (files, permissions), as opposed to bugs in kittify. */
function isOperational(err: unknown): boolean {
  if (err instanceof FrontmatterError || err instanceof ReadOnlyFileError) return true;
  if (Object.values(Deno.errors).some((kind) => err instanceof kind)) return true;
  return typeof (err as { code?: unknown } | null)?.code === "string";
}
