/**
 * Which command lines are plain help requests: `kittify [words…] --help` (or `-h`) where every
 * word names a command, and `kittify [words…] help [names…]` where commander would add its
 * `help` command and the names lead to a command (`kittify help tasks add`). A `help` naming an
 * unknown command is left to commander as that command, so that it is reported with commander's
 * message and suggestion. Anything else that mentions help goes to commander as it is.
 */
import type { RecordedCommand } from "./fast_path.ts";
import { hasHelpCommand } from "./help_text.ts";

export type HelpRequest =
  /** Write this command's help. */
  | { kind: "help"; command: RecordedCommand }
  /** `help` named something unknown: commander should run this command line instead. */
  | { kind: "unknown"; argv: string[] };

/** What `argv` asks for, or null when it is not a plain help request. */
export function helpRequestOf(root: RecordedCommand, argv: readonly string[]): HelpRequest | null {
  const last = argv.at(-1);
  if (last === "--help" || last === "-h") {
    const { command, rest } = walk(root, argv.slice(0, -1));
    return rest.length === 0 ? { kind: "help", command } : null;
  }
  const at = argv.indexOf("help");
  if (at === -1) return null;
  const before = walk(root, argv.slice(0, at));
  if (before.rest.length > 0 || !hasHelpCommand(before.command)) return null;
  const names = argv.slice(at + 1);
  if (names.some((name) => name === "" || name.startsWith("-"))) return null;
  const { command, rest } = walk(before.command, names);
  if (rest.length === 0) return { kind: "help", command };
  // Only a last name, and only among subcommands, can be an unknown command: anything else
  // (`help implement WP01`) would run as a command line, so commander judges it as it stands.
  if (rest.length > 1 || !hasHelpCommand(command)) return null;
  return { kind: "unknown", argv: [...argv.slice(0, at), ...names] };
}

/** As far as `words` lead from `from` through subcommands, and the words left over. */
function walk(
  from: RecordedCommand,
  words: readonly string[],
): { command: RecordedCommand; rest: readonly string[] } {
  let command = from;
  for (const [i, word] of words.entries()) {
    const sub = command.subcommands.get(word);
    if (!sub) return { command, rest: words.slice(i) };
    command = sub;
  }
  return { command, rest: [] };
}
