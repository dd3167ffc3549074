/**
 * What the `kittify` program itself declares besides its commands: commander's program
 * (program.ts) and kittify's own help (help_text.ts) are built from these, so they agree.
 */
export const PROGRAM_NAME = "kittify";

export const PROGRAM_DESCRIPTION =
  "Stable project identity and durable event sync for spec-kitty projects.";

export interface FlagDeclaration {
  flags: string;
  description: string;
}

export const VERSION_OPTION: FlagDeclaration = {
  flags: "-V, --version",
  description: "print the version and exit",
};

export const DEBUG_OPTION: FlagDeclaration = {
  flags: "--debug",
  description: "show stack traces for internal errors (also KITTIFY_DEBUG=1)",
};

/** Every command's help option. */
export const HELP_OPTION: FlagDeclaration = {
  flags: "-h, --help",
  description: "show help for a command",
};

/**
 * The `help` command of every command that has subcommands and no action of its own (commander's
 * own, which the program keeps).
 */
export const HELP_COMMAND: FlagDeclaration = {
  flags: "help [command]",
  description: "display help for command",
};
