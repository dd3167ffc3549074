/**
 * A command's help, from the commands as recorded (fast_path.ts), laid out exactly as commander
 * 14 lays it out (tests/cli/help_text_test.ts compares the two for every command at several
 * widths). Loading commander costs `--help` about as much as starting an empty Deno process
 * (its Node built-ins: events, child_process, fs, process), so the plain help requests are
 * answered here and everything else still goes to commander.
 */
import type { ArgumentSpec, OptionSpec, RecordedCommand } from "./fast_path.ts";
import {
  DEBUG_OPTION,
  type FlagDeclaration,
  HELP_COMMAND,
  HELP_OPTION,
  PROGRAM_DESCRIPTION,
  VERSION_OPTION,
} from "./root_command.ts";

/** Below this many columns commander stops wrapping. */
const MIN_WIDTH_TO_WRAP = 40;
const INDENT = "  ";
const SPACER = 2;

interface Item {
  term: string;
  description: string;
}

/** Whether `command` gets commander's implicit `help [command]` subcommand. */
export function hasHelpCommand(command: RecordedCommand): boolean {
  return command.subcommands.size > 0 && !command.handler && !command.subcommands.has("help");
}

/** The help of `command` for a screen `width` columns wide (commander's text, to the byte). */
export function helpText(command: RecordedCommand, width: number): string {
  const isRoot = command.parent === undefined;
  const description = isRoot ? PROGRAM_DESCRIPTION : command.about;
  const options: FlagDeclaration[] = isRoot
    ? [VERSION_OPTION, DEBUG_OPTION]
    : command.options.map(optionItem);
  const args = command.args.some((a) => a.description) ? command.args.map(argumentItem) : [];
  const subcommands = [...command.subcommands.values()].map((sub) => ({
    term: subcommandTerm(sub),
    description: sub.short || sub.about,
  }));
  if (hasHelpCommand(command)) {
    subcommands.push({ term: HELP_COMMAND.flags, description: HELP_COMMAND.description });
  }
  const optionItems = [...options, HELP_OPTION].map((o) => ({
    term: o.flags,
    description: o.description,
  }));
  const termWidth = Math.max(
    0,
    ...[...optionItems, ...subcommands, ...args].map((i) => i.term.length),
  );
  const lines = [`Usage: ${usageOf(command)}`, ""];
  if (description) lines.push(boxWrap(description, width), "");
  for (
    const [heading, items] of [
      ["Arguments:", args],
      ["Options:", optionItems],
      ["Commands:", subcommands],
    ] as const
  ) {
    if (items.length === 0) continue;
    lines.push(heading, ...items.map((item) => formatItem(item, termWidth, width)), "");
  }
  return lines.join("\n");
}

/** `kittify tasks list [options]`, `kittify implement [options] <wp>`. */
function usageOf(command: RecordedCommand): string {
  const names: string[] = [];
  for (let c: RecordedCommand | undefined = command; c; c = c.parent) names.unshift(c.name);
  const parts = ["[options]"];
  if (command.subcommands.size > 0) parts.push("[command]");
  parts.push(...command.args.map((a) => a.name));
  return `${names.join(" ")} ${parts.join(" ")}`;
}

function subcommandTerm(command: RecordedCommand): string {
  return [
    command.name,
    ...(command.options.length > 0 ? ["[options]"] : []),
    ...command.args.map((a) => a.name),
  ].join(" ");
}

/** An option's description, with its default value when commander would show it. */
function optionItem(option: OptionSpec): FlagDeclaration {
  const takesArgument = option.flags.includes("<") || option.flags.includes("[");
  const booleanDefault = !takesArgument && typeof option.defaultValue === "boolean";
  const showDefault = option.defaultValue !== undefined && (takesArgument || booleanDefault);
  const extra = showDefault ? `(default: ${JSON.stringify(option.defaultValue)})` : "";
  return {
    flags: option.flags,
    description: [option.description, extra].filter(Boolean).join(" "),
  };
}

/** An argument's term is its bare name: `wp` for `<wp>`, `ids` for `[ids...]`. */
function argumentItem(argument: ArgumentSpec): Item {
  return {
    term: argument.name.replace(/^[<[]|(\.\.\.)?[>\]]$/g, ""),
    description: argument.description,
  };
}

function formatItem(item: Item, termWidth: number, width: number): string {
  if (!item.description) return INDENT + item.term;
  const remaining = width - termWidth - SPACER - INDENT.length;
  const preformatted = /\n[^\S\r\n]/.test(item.description);
  const description = remaining < MIN_WIDTH_TO_WRAP || preformatted
    ? item.description
    : boxWrap(item.description, remaining).replaceAll("\n", `\n${" ".repeat(termWidth + SPACER)}`);
  return INDENT + item.term.padEnd(termWidth) + " ".repeat(SPACER) +
    description.replaceAll("\n", `\n${INDENT}`);
}

/** Words wrapped to `width` columns, as commander's Help.boxWrap does it. */
function boxWrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const wrapped: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const chunks = line.match(/\s*\S+/g);
    if (chunks === null) {
      wrapped.push("");
      continue;
    }
    let current = chunks[0];
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) {
        current += chunk;
        continue;
      }
      wrapped.push(current);
      current = chunk.trimStart();
    }
    wrapped.push(current);
  }
  return wrapped.join("\n");
}
