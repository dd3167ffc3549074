/**
 * How commands declare themselves: the subset of commander's fluent API kittify uses. Every
 * command registers through this interface, once into a light recorder that parses ordinary
 * command lines at start-up (fast_path.ts) and writes plain help (help_text.ts), and into
 * commander itself only when that is needed: errors, suggestions, anything unusual (program.ts).
 * Commander is a CommonJS package whose Node built-ins cost about as much as starting an empty
 * Deno process; the recorder costs nothing.
 */

/** Parses an option's value (commander's `parseArg`): the new value from the text and the old. */
export type OptionParser<T> = (value: string, previous: T) => T;

/** The action's last argument: the command, for options declared on its parents. */
export interface CommandHandle {
  optsWithGlobals<T = Record<string, unknown>>(): T;
}

export interface CommandBuilder {
  command(name: string): CommandBuilder;
  description(text: string): CommandBuilder;
  summary(text: string): CommandBuilder;
  argument(name: string, description?: string): CommandBuilder;
  option(flags: string, description?: string, defaultValue?: string | boolean): CommandBuilder;
  option<T>(
    flags: string,
    description: string,
    parser: OptionParser<T>,
    defaultValue?: T,
  ): CommandBuilder;
  requiredOption(flags: string, description?: string): CommandBuilder;
  requiredOption<T>(flags: string, description: string, parser: OptionParser<T>): CommandBuilder;
  // deno-lint-ignore no-explicit-any
  action(fn: (...args: any[]) => void | Promise<void>): CommandBuilder;
}

/**
 * A value an option parser refuses. Commander recognises it by its code and reports it as its
 * own "option '--x <v>' argument 'y' is invalid. <message>" (exit 2).
 */
export class InvalidArgument extends Error {
  readonly code = "commander.invalidArgument";
  readonly exitCode = 1;
}

/** A parser that accepts only `choices` (and says which they are). */
export function oneOf(choices: readonly string[]): OptionParser<string> {
  return (value) => {
    if (!choices.includes(value)) {
      throw new InvalidArgument(`Allowed choices are ${choices.join(", ")}.`);
    }
    return value;
  };
}
