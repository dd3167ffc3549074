/**
 * The start-up path parses ordinary command lines exactly as commander does (the same arguments
 * and options reach the action), leaves everything else to commander, and covers the commands
 * people run all day.
 */
import assert from "node:assert/strict";
import { Command } from "commander";
import type { CommandBuilder } from "../../src/cli/command_builder.ts";
import { InvalidArgument, oneOf } from "../../src/cli/command_builder.ts";
import { allCommands, COMMAND_MODULES, registerOf } from "../../src/cli/commands/by_name.ts";
import type { CommandContext } from "../../src/cli/context.ts";
import { fastInvocation, RecordedCommand } from "../../src/cli/fast_path.ts";
import { Services } from "../../src/cli/services.ts";

function positive(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgument("expected a positive integer");
  return n;
}

/** Commands with every feature the registrations use; each action records what it got. */
function register(program: CommandBuilder, seen: unknown[][]): void {
  const record = (...args: unknown[]) => {
    // The last argument is the command; compare what matters: arguments and options.
    seen.push(args.slice(0, -1));
  };
  program.command("move").argument("<wp>").option("--to <lane>").option("-f, --force")
    .option("--reason <text>").option("--dry-run").action(record);
  program.command("note").argument("<wp>").argument("<text>").requiredOption("--author <a>")
    .action(record);
  const sync = program.command("sync");
  sync.command("now").option("--report <file>").option("--strict", "strict", true)
    .option("--no-strict").option("--json").action(record);
  sync.command("dead").argument("[ids...]").option("--all").action(record);
  sync.command("server").argument("[url]").action(record);
  program.command("list").option("--limit <n>", "n", positive)
    .option("--state <s>", "s", oneOf(["a", "b"])).option("--port <p>", "p", positive, 80)
    .action(record);
}

function viaFastPath(argv: string[]): unknown[][] | null {
  const seen: unknown[][] = [];
  const root = new RecordedCommand("kittify");
  register(root, seen);
  const invocation = fastInvocation(root, argv);
  if (!invocation) return null;
  invocation.action(...invocation.args);
  return seen;
}

async function viaCommander(argv: string[]): Promise<unknown[][]> {
  const seen: unknown[][] = [];
  const program = new Command("kittify").option("--debug").allowExcessArguments(false)
    .exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program as unknown as CommandBuilder, seen);
  await program.parseAsync(argv, { from: "user" });
  return seen;
}

Deno.test("ordinary command lines reach the action exactly as through commander", async () => {
  const lines = [
    ["move", "WP01", "--to", "done"],
    ["move", "--to", "done", "WP01", "-f", "--reason", "x y"],
    ["move", "WP01", "--to=done", "--dry-run", "--to", "claimed"],
    ["move", "WP02", "--debug", "--to", "done"],
    ["--debug", "move", "WP01"],
    ["note", "WP01", "some text", "--author", "me"],
    ["sync", "now"],
    ["sync", "now", "--no-strict", "--json"],
    ["sync", "now", "--no-strict", "--strict"],
    ["sync", "now", "--report", "r.json"],
    ["sync", "dead"],
    ["sync", "dead", "A", "B", "--all"],
    ["sync", "server"],
    ["sync", "server", "https://example.org"],
    ["list"],
    ["list", "--limit", "5", "--state", "b", "--port", "8080"],
  ];
  for (const argv of lines) {
    const fast = viaFastPath(argv);
    assert.ok(fast, `the fast path takes ${argv.join(" ")}`);
    assert.deepEqual(fast, await viaCommander(argv), argv.join(" "));
  }
});

Deno.test("help, mistakes and refused values are left to commander", () => {
  const lines = [
    [],
    ["--help"],
    ["move", "-h"],
    ["sync"],
    ["nope"],
    ["move"],
    ["move", "WP01", "extra"],
    ["move", "WP01", "--to"],
    ["move", "WP01", "--bogus"],
    ["move", "WP01", "--json=1"],
    ["note", "WP01", "text"],
    ["list", "--limit", "0"],
    ["list", "--state", "c"],
    ["move", "--", "WP01"],
  ];
  for (const argv of lines) assert.equal(viaFastPath(argv), null, argv.join(" "));
});

Deno.test("the commands people run all day take the fast path", async () => {
  const root = new RecordedCommand("kittify");
  const ctx: CommandContext = { setExitCode: () => {}, services: new Services() };
  for (const registerCommand of await allCommands()) registerCommand(root, ctx);
  const lines = [
    ["implement", "WP01"],
    ["implement", "WP01", "--agent", "claude", "--feature", "001-x", "--json"],
    ["move", "WP01", "--to", "for_review"],
    ["accept", "--allow-incomplete"],
    ["note", "WP01", "text"],
    ["identity", "--json"],
    ["init"],
    ["tasks", "list", "--json"],
    ["tasks", "add", "Title", "--depends", "WP01"],
    ["feature", "create", "Name"],
    ["events", "--json", "--state", "pending", "--limit", "3"],
    ["sync", "now", "--no-strict"],
    ["sync", "status", "--check", "--json"],
    ["sync", "watch"],
    ["sync", "dead-letter", "retry", "--all"],
    ["auth", "status", "--json"],
  ];
  for (const argv of lines) {
    assert.ok(fastInvocation(root, argv), `fast path: kittify ${argv.join(" ")}`);
  }
});

Deno.test("each command's module registers the command of its name, for the start-up path", async () => {
  const ctx = { setExitCode() {}, services: undefined as never };
  for (const name of Object.keys(COMMAND_MODULES)) {
    const builder = new RecordedCommand("kittify");
    (await registerOf(name))!(builder, ctx);
    assert.deepEqual([...builder.subcommands.keys()], [name]);
  }
  assert.equal(await registerOf("toString"), undefined);
  assert.equal(await registerOf("bogus"), undefined);
});
