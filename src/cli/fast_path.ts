/**
 * The start-up path of the CLI: the commands record themselves here (the same registrations that
 * build the commander program), and an ordinary command line — a leaf command, its options and
 * arguments, nothing unusual — is split into options and arguments here and run at once (even
 * Node's built-in `parseArgs` costs ~8 ms of start-up: the first `node:` module loads Deno's Node
 * layer).
 * Everything else (help, `--version` beside other words, a mistake of any kind, a parser that
 * refuses a value, options of parent commands) is left to commander, so that messages, hints and
 * exit codes are commander's, as they always were.
 */
import type { CommandBuilder, CommandHandle, OptionParser } from "./command_builder.ts";

export interface OptionSpec {
  /** As declared: `-f, --force`, `--to <lane>`. */
  flags: string;
  description: string;
  /** commander's attribute name: `--dry-run` → `dryRun`, `--no-strict` → `strict`. */
  key: string;
  long: string;
  short?: string;
  takesValue: boolean;
  negate: boolean;
  required: boolean;
  parser?: OptionParser<unknown>;
  defaultValue?: unknown;
}

export interface ArgumentSpec {
  /** As declared: `<wp>`, `[ids...]`. */
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
}

// deno-lint-ignore no-explicit-any
type Action = (...args: any[]) => void | Promise<void>;

/** A command as recorded. */
export class RecordedCommand implements CommandBuilder {
  readonly subcommands = new Map<string, RecordedCommand>();
  readonly options: OptionSpec[] = [];
  readonly args: ArgumentSpec[] = [];
  handler?: Action;
  /** Something the fast path does not handle was declared: always leave it to commander. */
  unusual = false;
  about = "";
  short = "";

  constructor(readonly name: string, readonly parent?: RecordedCommand) {}

  command(name: string): RecordedCommand {
    const sub = new RecordedCommand(name, this);
    this.subcommands.set(name, sub);
    return sub;
  }

  description(text: string): this {
    this.about = text;
    return this;
  }

  summary(text: string): this {
    this.short = text;
    return this;
  }

  argument(name: string, description = ""): this {
    const variadic = name.endsWith("...>") || name.endsWith("...]");
    this.args.push({ name, description, required: name.startsWith("<"), variadic });
    return this;
  }

  option(flags: string, description = "", ...rest: unknown[]): this {
    this.options.push(this.#parseFlags(flags, description, rest, false));
    return this;
  }

  requiredOption(flags: string, description = "", ...rest: unknown[]): this {
    this.options.push(this.#parseFlags(flags, description, rest, true));
    return this;
  }

  action(fn: Action): this {
    this.handler = fn;
    return this;
  }

  #parseFlags(
    flags: string,
    description: string,
    rest: unknown[],
    required: boolean,
  ): OptionSpec {
    const match = /^(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(?: (<[^>]+>|\[[^\]]+\]))?$/.exec(flags);
    if (!match || match[3]?.startsWith("[")) this.unusual = true;
    const long = match?.[2] ?? flags;
    const negate = long.startsWith("no-");
    const name = negate ? long.slice(3) : long;
    const parser = typeof rest[0] === "function" ? rest[0] as OptionParser<unknown> : undefined;
    const defaultValue = parser ? rest[1] : rest[0];
    return {
      flags,
      description,
      key: name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
      long,
      short: match?.[1],
      takesValue: match?.[3] !== undefined,
      negate,
      required,
      parser,
      defaultValue,
    };
  }
}

/** A command line the fast path can run: the action and what to call it with. */
export interface Invocation {
  action: Action;
  args: unknown[];
}

/** Whether `argv` could be a help request (before any command is loaded). */
export function mentionsHelp(argv: readonly string[]): boolean {
  return argv.some((word) => word === "--help" || word === "-h" || word === "help");
}

/** The invocation for `argv`, or null when commander should handle the command line. */
export function fastInvocation(root: RecordedCommand, argv: readonly string[]): Invocation | null {
  const words = argv.filter((word) => word !== "--debug");
  if (words.some((w) => w === "-h" || w === "--help" || w === "--" || w === "-V")) return null;
  if (words.includes("--version")) return null;
  let command = root;
  let at = 0;
  while (at < words.length && command.subcommands.has(words[at])) {
    command = command.subcommands.get(words[at])!;
    at++;
  }
  if (command === root || command.subcommands.size > 0 || !command.handler) return null;
  if (command.unusual) return null;
  for (let p = command.parent; p && p !== root; p = p.parent) {
    if (p.options.length > 0) return null;
  }
  const split = splitWords(command.options, words.slice(at));
  if (split === null) return null;
  const opts = optionValues(command.options, split.options);
  if (opts === null) return null;
  const args = argumentValues(command.args, split.positionals);
  if (args === null) return null;
  const debug = argv.includes("--debug");
  const handle: CommandHandle = {
    optsWithGlobals: <T>() => ({ ...(debug ? { debug } : {}), ...opts }) as T,
  };
  return { action: command.handler, args: [...args, opts, handle] };
}

interface OptionWord {
  spec: OptionSpec;
  value?: string;
}

/**
 * The words as options (in order, each with its value) and positional arguments; null for
 * anything commander should judge: an unknown option, a missing or unexpected value, a value
 * that looks like an option, grouped short flags.
 */
function splitWords(
  specs: OptionSpec[],
  words: string[],
): { options: OptionWord[]; positionals: string[] } | null {
  const options: OptionWord[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
      spec = specs.find((s) => s.long === name);
    } else if (word.length === 2) {
      spec = specs.find((s) => s.short === word[1]);
    }
    if (!spec) return null;
    if (!spec.takesValue) {
      if (inline !== undefined) return null;
      options.push({ spec });
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined || (inline === undefined && value.startsWith("-"))) return null;
    options.push({ spec, value });
  }
  return { options, positionals };
}

/** The options object commander would hand the action, or null (leave it to commander). */
function optionValues(specs: OptionSpec[], words: OptionWord[]): Record<string, unknown> | null {
  const opts: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.defaultValue !== undefined) opts[spec.key] = spec.defaultValue;
    else if (spec.negate && !specs.some((s) => s.key === spec.key && !s.negate)) {
      opts[spec.key] = true;
    }
  }
  for (const { spec, value } of words) {
    if (spec.negate) {
      opts[spec.key] = false;
    } else if (value === undefined) {
      opts[spec.key] = true;
    } else {
      try {
        opts[spec.key] = spec.parser ? spec.parser(value, opts[spec.key]) : value;
      } catch {
        return null; // commander reports the refused value its own way
      }
    }
  }
  if (specs.some((s) => s.required && opts[s.key] === undefined)) return null;
  return opts;
}

/** The action's leading arguments, or null when their number is wrong. */
function argumentValues(specs: ArgumentSpec[], positionals: string[]): unknown[] | null {
  const values: unknown[] = [];
  let at = 0;
  for (const spec of specs) {
    if (spec.variadic) {
      const rest = positionals.slice(at);
      if (spec.required && rest.length === 0) return null;
      values.push(rest);
      at = positionals.length;
      continue;
    }
    if (at >= positionals.length) {
      if (spec.required) return null;
      values.push(undefined);
      continue;
    }
    values.push(positionals[at++]);
  }
  return at === positionals.length ? values : null;
}
