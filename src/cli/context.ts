/** What a command's action can tell the CLI runner besides throwing. */
export interface CommandContext {
  /** Raise the process exit code (the highest requested code wins). */
  setExitCode(code: number): void;
}
