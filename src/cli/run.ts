/** Runs one kittify command line and turns its outcome into an exit code. */
import { adoptCaBundle } from "./ca_bundle.ts";
import { EXIT, KittifyError } from "../common/errors.ts";
import { runShutdown } from "../common/lifecycle.ts";
import { load } from "../common/load.ts";
import { paint } from "../common/style.ts";
import { allCommands, registerOf } from "./commands/by_name.ts";
import type { CommandContext } from "./context.ts";
import { fastInvocation, mentionsHelp, RecordedCommand } from "./fast_path.ts";
import { printedJson, printJson, writeStdout } from "./output.ts";
import { PROGRAM_NAME } from "./root_command.ts";
import { Services } from "./services.ts";

/** A commander error (help, version, or a usage error it has printed): told by its code. */
interface CommanderLike {
  code: string;
  exitCode: number;
  /** Its first line (program.ts keeps commander's suggestion for the hint). */
  message: string;
  hint?: string;
}

function isCommanderError(err: unknown): err is CommanderLike {
  if (!(err instanceof Error)) return false;
  const { code, exitCode } = err as Partial<CommanderLike>;
  return typeof code === "string" && code.startsWith("commander.") &&
    typeof exitCode === "number";
}

export function debugEnabled(argv: readonly string[]): boolean {
  const env = Deno.env.get("KITTIFY_DEBUG");
  return argv.includes("--debug") || (env !== undefined && env !== "" && env !== "0");
}

export async function runCli(argv: string[]): Promise<number> {
  const debug = debugEnabled(argv);
  adoptCaBundle(Deno.env);
  let code: number = EXIT.OK;
  const services = new Services();
  const ctx: CommandContext = {
    setExitCode: (c) => {
      code = Math.max(code, c);
    },
    services,
  };
  try {
    const recorded = new RecordedCommand(PROGRAM_NAME);
    if (mentionsHelp(argv)) {
      // Help is written from the commands as recorded (help_text.ts): every command is needed.
      const [{ helpRequestOf }, { helpText }, registers] = await Promise.all([
        load<typeof import("./help_request.ts")>(new URL("./help_request.ts", import.meta.url)),
        load<typeof import("./help_text.ts")>(new URL("./help_text.ts", import.meta.url)),
        allCommands(),
      ]);
      for (const register of registers) register(recorded, ctx);
      const request = helpRequestOf(recorded, argv);
      if (request?.kind === "help") {
        await writeStdout(helpText(request.command, stdoutColumns()));
        return code;
      }
      if (request?.kind === "unknown") argv = request.argv;
    } else {
      // Only the command being run is loaded; anything else goes to commander (all commands).
      const name = argv.find((arg) => !arg.startsWith("-"));
      if (name !== undefined) (await registerOf(name))?.(recorded, ctx);
    }
    const invocation = fastInvocation(recorded, argv);
    if (invocation) {
      await invocation.action(...invocation.args);
    } else {
      const { buildProgram } = await load<typeof import("./program.ts")>(
        new URL("./program.ts", import.meta.url),
      );
      await buildProgram(ctx, await allCommands()).parseAsync(argv, { from: "user" });
    }
  } catch (err) {
    code = reportError(err, debug);
    if (argv.includes("--json") && !printedJson()) printJsonError(err, code);
  } finally {
    // Delivery at the end of the command first (it uses the store), then the store closes.
    await services.close().catch(() => {});
    await runShutdown();
  }
  return code;
}

/** The terminal's width for help; 80 when stdout is not a terminal (as commander does). */
function stdoutColumns(): number {
  try {
    return Deno.stdout.isTerminal() ? Deno.consoleSize().columns || 80 : 80;
  } catch {
    return 80;
  }
}

/**
 * With `--json`, a failed command still prints one JSON document on stdout:
 * `{"error": {"message", "hint", "exit_code"}}` (the one line on stderr stays).
 */
function printJsonError(err: unknown, code: number): void {
  const usage = isCommanderError(err);
  if (usage && code === EXIT.OK) return; // --help, --version
  const message = usage
    ? err.message.replace(/^error:\s*/, "")
    : err instanceof Error
    ? err.message
    : String(err);
  const hint = err instanceof KittifyError || usage ? err.hint ?? null : null;
  printJson({ error: { message, hint, exit_code: code } });
}

/** Prints an error the way users see it and returns the exit code for it. */
export function reportError(err: unknown, debug: boolean): number {
  if (isCommanderError(err)) {
    // Commander already printed help/version, or our one-line usage error (see program.ts).
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof KittifyError) {
    console.error(`${paint.red("error:")} ${err.message}`);
    if (err.hint) console.error(`${paint.dim("hint:")} ${err.hint}`);
    if (debug && err.stack) console.error(err.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  console.error(`${paint.red("internal error:")} ${message}`);
  if (debug) {
    console.error(err instanceof Error && err.stack ? err.stack : String(err));
  } else {
    console.error(
      `${paint.dim("hint:")} this is a bug in kittify; rerun with --debug for a stack trace`,
    );
  }
  return EXIT.INTERNAL;
}
