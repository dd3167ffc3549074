/**
 * The command tree in commander, for errors and anything the start-up path and kittify's own help
 * leave to it (fast_path.ts, help_request.ts). Each command lives in `commands/<name>.ts` and
 * registers itself here.
 */
import { Command, type CommanderError } from "commander";
import { paint } from "../common/style.ts";
import { VERSION } from "./version.ts";
import type { CommandBuilder } from "./command_builder.ts";
import type { Register } from "./commands/by_name.ts";
import type { CommandContext } from "./context.ts";
import {
  DEBUG_OPTION,
  HELP_OPTION,
  PROGRAM_DESCRIPTION,
  PROGRAM_NAME,
  VERSION_OPTION,
} from "./root_command.ts";

/** The whole command tree, from every command's register function (commands/by_name.ts). */
export function buildProgram(ctx: CommandContext, commands: readonly Register[]): Command {
  const program = new Command(PROGRAM_NAME)
    .description(PROGRAM_DESCRIPTION)
    .version(`kittify ${VERSION}`, VERSION_OPTION.flags, VERSION_OPTION.description)
    .option(DEBUG_OPTION.flags, DEBUG_OPTION.description)
    .helpOption(HELP_OPTION.flags, HELP_OPTION.description)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false });
  for (const register of commands) register(program as unknown as CommandBuilder, ctx);
  applyErrorStyle(program);
  return program;
}

/** `kittify feature create`: the full name of a (sub)command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** A usage error's first line and its hint, from commander's text about `command`. */
function usageLines(command: Command, text: string): { message: string; hint: string } {
  const [first, ...rest] = text.trim().split("\n").map((l) => l.trim()).filter(Boolean);
  const suggestion = rest.find((l) => l.startsWith("(Did you mean"));
  const helpCmd = `${commandPath(command)} --help`;
  return {
    message: (first ?? "").replace(/^error:\s*/, ""),
    hint: suggestion ? `${suggestion.slice(1, -1)} See '${helpCmd}'.` : `see '${helpCmd}'`,
  };
}

/**
 * One-line usage errors plus a hint, exit code 2, for the whole command tree. The error thrown
 * carries the same message and hint, for `--json`'s error document.
 */
function applyErrorStyle(command: Command): void {
  command.exitOverride((err: CommanderError) => {
    if (err.exitCode !== 0) Object.assign(err, usageLines(command, err.message));
    throw err;
  });
  command.configureOutput({
    outputError: (text, write) => {
      const { message, hint } = usageLines(command, text);
      write(`${paint.red("error:")} ${message}\n`);
      write(`${paint.dim("hint:")} ${hint}\n`);
    },
  });
  for (const sub of command.commands) applyErrorStyle(sub);
}
