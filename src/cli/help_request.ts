/**
 * Which command lines are plain help requests: `kittify [words…] --help` (or `-h`) where every
 * word names a command, and `kittify [words…] help [name]` where commander would add its `help`
 * command. Anything else that mentions help goes to commander.
 */
import type { RecordedCommand } from "./fast_path.ts";
import { hasHelpCommand } from "./help_text.ts";

/** Whether `argv` could be a help request (before any command is loaded). */
export function mentionsHelp(argv: readonly string[]): boolean {
  return argv.some((word) => word === "--help" || word === "-h" || word === "help");
}

/** The command whose help `argv` asks for, or null when it is not a plain help request. */
export function helpRequestOf(
  root: RecordedCommand,
  argv: readonly string[],
): RecordedCommand | null {
  const last = argv.at(-1);
  if (last === "--help" || last === "-h") return commandAt(root, argv.slice(0, -1));
  const at = argv.indexOf("help");
  if (at === -1) return null;
  const parent = commandAt(root, argv.slice(0, at));
  if (parent === null || !hasHelpCommand(parent)) return null;
  const rest = argv.slice(at + 1);
  if (rest.length === 0) return parent;
  return rest.length === 1 ? parent.subcommands.get(rest[0]) ?? null : null;
}

/** The command reached by `words` from `root`, or null when a word names no subcommand. */
function commandAt(root: RecordedCommand, words: readonly string[]): RecordedCommand | null {
  let command = root;
  for (const word of words) {
    const sub = command.subcommands.get(word);
    if (!sub) return null;
    command = sub;
  }
  return command;
}
