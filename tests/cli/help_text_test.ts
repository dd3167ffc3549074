/**
 * kittify's own help is commander's help, to the byte: for every command of the real command
 * tree, at widths that wrap differently, both are rendered and compared. Which command lines are
 * help requests is checked against what commander shows for them.
 */
import assert from "node:assert/strict";
import type { Command } from "commander";
import { allCommands } from "../../src/cli/commands/by_name.ts";
import type { CommandContext } from "../../src/cli/context.ts";
import { RecordedCommand } from "../../src/cli/fast_path.ts";
import { helpRequestOf } from "../../src/cli/help_request.ts";
import { mentionsHelp } from "../../src/cli/fast_path.ts";
import { helpText } from "../../src/cli/help_text.ts";
import { buildProgram } from "../../src/cli/program.ts";
import { Services } from "../../src/cli/services.ts";
import { runKittify } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";

const WIDTHS = [80, 30, 45, 60, 100, 200];

async function trees(): Promise<{ recorded: RecordedCommand; program: Command }> {
  const ctx: CommandContext = { setExitCode: () => {}, services: new Services() };
  const registers = await allCommands();
  const recorded = new RecordedCommand("kittify");
  for (const register of registers) register(recorded, ctx);
  return { recorded, program: buildProgram(ctx, registers) };
}

/** Every command of both trees, paired by path. */
function* pairs(
  recorded: RecordedCommand,
  program: Command,
  path: string[] = [],
): Generator<[string[], RecordedCommand, Command]> {
  yield [path, recorded, program];
  assert.deepEqual([...recorded.subcommands.keys()], program.commands.map((c) => c.name()));
  for (const sub of program.commands) {
    yield* pairs(recorded.subcommands.get(sub.name())!, sub, [...path, sub.name()]);
  }
}

function commanderHelp(command: Command, width: number): string {
  command.configureHelp({ ...command.configureHelp(), helpWidth: width });
  return command.helpInformation();
}

Deno.test("every command's help is commander's, at every width", async () => {
  const { recorded, program } = await trees();
  let compared = 0;
  for (const [path, ours, theirs] of pairs(recorded, program)) {
    for (const width of WIDTHS) {
      assert.equal(helpText(ours, width), commanderHelp(theirs, width), `${path} at ${width}`);
      compared++;
    }
  }
  // Every command (more than 30 with subcommands) at every width.
  assert.ok(compared >= 30 * WIDTHS.length, `${compared}`);
});

Deno.test("help requests: the command whose help is asked for, or null for commander", async () => {
  const { recorded } = await trees();
  const at = (argv: string[]) => {
    const request = helpRequestOf(recorded, argv);
    if (request === null) return null;
    if (request.kind === "unknown") return { commander: request.argv };
    const names: string[] = [];
    for (let c: RecordedCommand | undefined = request.command; c?.parent; c = c.parent) {
      names.unshift(c.name);
    }
    return names.join(" ");
  };
  assert.equal(at(["--help"]), "");
  assert.equal(at(["-h"]), "");
  assert.equal(at(["help"]), "");
  assert.equal(at(["help", "tasks"]), "tasks");
  assert.equal(at(["tasks", "help"]), "tasks");
  assert.equal(at(["tasks", "help", "list"]), "tasks list");
  assert.equal(at(["tasks", "list", "--help"]), "tasks list");
  assert.equal(at(["implement", "-h"]), "implement");
  // Left to commander: unknown words, help after arguments, help of a command with an action.
  assert.equal(at(["nope", "--help"]), null);
  assert.equal(at(["implement", "WP01", "--help"]), null);
  assert.equal(at(["help", "tasks", "list"]), "tasks list");
  assert.equal(at(["sync", "help", "dead-letter", "list"]), "sync dead-letter list");
  // help naming an unknown command: commander reports that command line as unknown.
  assert.deepEqual(at(["help", "nope"]), { commander: ["nope"] });
  assert.deepEqual(at(["tasks", "help", "nope"]), { commander: ["tasks", "nope"] });
  assert.equal(at(["help", "--json"]), null);
  // Never a command line that would run: arguments after a command's name stay with commander.
  assert.equal(at(["help", "implement", "WP01"]), null);
  assert.equal(at(["help", "nope", "WP01"]), null);
  assert.equal(at(["help", "tasks", "add", "x"]), null);
  assert.equal(at(["help", "serve", "foo"]), null, "serve has an action: foo is its argument");
  assert.equal(at(["help", ""]), null);
  assert.equal(at(["implement", "help"]), null);
  assert.equal(at(["note", "WP01", "help"]), null);
  assert.equal(at(["--help", "tasks"]), null);
  assert.equal(mentionsHelp(["note", "WP01", "text"]), false);
  assert.equal(mentionsHelp(["note", "WP01", "help"]), true);
});

Deno.test("the CLI answers help requests as commander does, and leaves the rest to it", async () => {
  const sb = await sandbox();
  try {
    const opts = { cwd: sb.repo, home: sb.home };
    const { recorded, program } = await trees();
    const tasks = program.commands.find((c) => c.name() === "tasks")!;
    const list = tasks.commands.find((c) => c.name() === "list")!;
    for (
      const [argv, expected] of [
        [["--help"], commanderHelp(program, 80)],
        [["help", "tasks"], commanderHelp(tasks, 80)],
        [["tasks", "list", "-h"], commanderHelp(list, 80)],
      ] as const
    ) {
      const out = await runKittify([...argv], opts);
      assert.equal(out.code, 0, argv.join(" "));
      assert.equal(out.stdout, expected, argv.join(" "));
      assert.equal(out.stderr, "");
    }
    assert.ok(recorded.subcommands.size > 10);
    // Commander still shows help for a command line that is not a plain request.
    const late = await runKittify(["implement", "WP01", "--help"], opts);
    assert.equal(late.code, 0);
    assert.match(late.stdout, /^Usage: kittify implement \[options\] <wp>/);
    // help naming a subcommand shows it; naming nothing known is an unknown command (exit 2).
    const deep = await runKittify(["help", "tasks", "list"], opts);
    assert.equal(deep.stdout, commanderHelp(list, 80));
    const unknown = await runKittify(["help", "tasks", "lst"], opts);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, "");
    assert.match(unknown.stderr, /^error: unknown command 'lst'\nhint: Did you mean list\?/);
    // help with a command's arguments never runs the command.
    const notRun = await runKittify(["help", "implement", "WP01"], opts);
    assert.equal(notRun.code, 0, notRun.stderr);
    assert.match(notRun.stdout, /^Usage: kittify implement \[options\] <wp>/);
    assert.equal(notRun.stderr, "");
    // A text that happens to be "help" is an argument, not a help request.
    const note = await runKittify(["note", "WP01", "help"], opts);
    assert.doesNotMatch(note.stdout, /Usage:/);
  } finally {
    await sb.cleanup();
  }
});
