/**
 * The error hierarchy. A `KittifyError` is something the user can act on: the CLI prints its
 * one-line message (and hint) without a stack trace and exits with its `exitCode`. Anything else
 * that escapes a command is a bug in kittify: exit code {@link EXIT.INTERNAL}, stack trace only
 * with `--debug` / `KITTIFY_DEBUG=1`.
 */

/** Documented process exit codes (README "Exit codes"). */
export const EXIT = {
  OK: 0,
  /** The user's input or environment is wrong, or the operation failed in an expected way. */
  USER: 1,
  /** Unknown command, unknown flag, missing argument. */
  USAGE: 2,
  /** `auth status`: not logged in (no login, expired, or for another server). */
  NOT_LOGGED_IN: 3,
  /** A bug in kittify (an unexpected exception). */
  INTERNAL: 70,
  /** Interrupted by SIGINT. */
  INTERRUPTED: 130,
} as const;

export class KittifyError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.USER;
    this.hint = options.hint;
  }
}

/** The user asked for something that cannot be done as asked (exit 1). */
export class UserError extends KittifyError {}

/** The command line itself is wrong (exit 2). */
export class UsageError extends KittifyError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { exitCode: EXIT.USAGE, hint: options.hint });
  }
}

/** The current directory is not inside a git repository or spec-kitty project. */
export class NotInProjectError extends UserError {
  constructor(cwd: string) {
    super(`not inside a git repository or spec-kitty project: ${cwd}`, {
      hint: "run kittify inside a git repository, or create one with `kittify init`",
    });
  }
}

/** True for errors that mean "the file system or Deno's permission system refused a write". */
export function isWriteDenied(err: unknown): boolean {
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
    return true;
  }
  const code = (err as { code?: string } | null)?.code;
  return code === "EACCES" || code === "EROFS" || code === "EPERM";
}

/** A short human reason for a denied write, for warnings. */
export function describeError(err: unknown): string {
  if (err instanceof Deno.errors.NotCapable) return "write access denied by Deno permissions";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if ((err as { code?: string } | null)?.code === "EROFS") return "read-only file system";
  if (err instanceof Error) return err.message;
  return String(err);
}
