/**
 * `deno task demo`: kittify's main job on its embedded defaults, in a throw-away git repository
 * with a throw-away KITTIFY_HOME (local KV). Each step runs the real CLI as a subprocess with the
 * binary's permission flags and shows its output.
 */
import { join } from "node:path";
import { cliCommand } from "../tests/helpers/cli.ts";
import { git, removeTree } from "../tests/helpers/fs.ts";

const base = await Deno.makeTempDir({ prefix: "kittify-demo-" });
const repo = join(base, "demo-project");
const home = join(base, "home");

async function step(title: string, args: string[]): Promise<void> {
  const shown = args.map((a) => /\s/.test(a) ? `"${a}"` : a).join(" ");
  console.log(`\n$ kittify ${shown}    # ${title}`);
  const out = await cliCommand(args, { cwd: repo, home }).output();
  await Deno.stdout.write(out.stdout);
  await Deno.stderr.write(out.stderr);
  if (out.code !== 0) throw new Error(`kittify ${args.join(" ")} exited ${out.code}`);
}

try {
  await Deno.mkdir(repo, { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "remote", "add", "origin", "git@github.com:acme/demo-project.git");
  console.log(`demo repository: ${repo}\nKITTIFY_HOME:    ${home}`);
  await step("give the project a stable identity", ["init"]);
  await step("every command that needs it reads the same identity", ["identity", "--json"]);
  await step("start a feature (one FeatureCreated)", ["feature", "create", "Event Sync"]);
  await step("plan its work packages", ["tasks", "add", "Build the parser"]);
  await step("…with dependencies", ["tasks", "add", "Write the docs", "--depends", "WP01"]);
  await step("announce them (one WPCreated each, one shared causation)", ["tasks", "finalize"]);
  await step("start work (exactly one WPStatusChanged)", ["implement", "WP01", "--agent", "demo"]);
  await step("hand it over for review, with a note", [
    "move",
    "WP01",
    "--to",
    "for_review",
    "--note",
    "ready for review",
  ]);
  await step("accept what was reviewed", ["accept", "--allow-incomplete"]);
  await step("see where every work package is", ["tasks", "list"]);
  await step("every change became exactly one stored event", ["events"]);
  console.log("\ndemo finished");
} finally {
  await removeTree(base);
}
