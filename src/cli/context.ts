/** What a command's action gets besides its arguments. */
import type { Services } from "./services.ts";

export interface CommandContext {
  /** Raise the process exit code (the highest requested code wins). */
  setExitCode(code: number): void;
  /** The process's shared services (workspaces with their emitters, the sync runtimes). */
  services: Services;
}
