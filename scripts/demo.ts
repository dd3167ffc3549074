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
  console.log(`\n$ kittify ${args.join(" ")}    # ${title}`);
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
  console.log("\ndemo finished");
} finally {
  await removeTree(base);
}
