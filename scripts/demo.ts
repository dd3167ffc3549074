/**
 * `deno task demo`: kittify's main job on its embedded defaults, end to end, in throw-away
 * folders: a reference sync server (`kittify serve`, its own store, a free loopback port), a
 * user, a login, then a project whose every work-package change becomes one event that is stored
 * locally and delivered to the server when the command ends. Finally the server's view is
 * compared with the local events: each one exactly once. Every step is the real CLI as a
 * subprocess with the binary's permission flags, and is shown with its output.
 */
import { join } from "node:path";
import { cliCommand } from "../tests/helpers/cli.ts";
import { git, removeTree } from "../tests/helpers/fs.ts";

const base = await Deno.makeTempDir({ prefix: "kittify-demo-" });
const repo = join(base, "demo-project");
const home = join(base, "home");
const PASSWORD = "demo password, not a secret";

function shown(args: string[]): string {
  return args.map((a) => /\s/.test(a) ? `"${a}"` : a).join(" ");
}

async function step(title: string, args: string[], stdin?: string): Promise<string> {
  const pipe = stdin === undefined ? "" : "echo '********' | ";
  console.log(`\n$ ${pipe}kittify ${shown(args)}    # ${title}`);
  const child = cliCommand(args, { cwd: repo, home, stdin }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${stdin}\n`));
    await writer.close();
  }
  const out = await child.output();
  await Deno.stdout.write(out.stdout);
  await Deno.stderr.write(out.stderr);
  if (out.code !== 0) throw new Error(`kittify ${args.join(" ")} exited ${out.code}`);
  return new TextDecoder().decode(out.stdout);
}

/** `kittify serve --port 0` in the background; resolves with its URL once it listens. */
async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const args = ["serve", "--port", "0", "--data", join(base, "server.kv")];
  console.log(`\n$ kittify ${shown(args)} &    # a reference sync server on this machine`);
  const child = cliCommand(args, { cwd: base, home }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  while (!url) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`kittify serve exited: ${text}`);
    text += value;
    url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
  }
  console.log(text.trim());
  // The request log goes to the server's stderr; the demo keeps it quiet.
  child.stderr.cancel();
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await lines.cancel();
    },
  };
}

interface ProjectView {
  project_uuid: string;
  event_count: number;
  features: Array<{ feature_slug: string; work_packages: Array<{ wp_id: string; lane: string }> }>;
}

/** What the server holds for the project, read through its API as the team's user. */
async function serverView(url: string, project: string): Promise<ProjectView> {
  const login = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "demo", password: PASSWORD }),
  });
  const { access } = await login.json();
  const view = await fetch(`${url}/api/v1/projects/${project}/`, {
    headers: { authorization: `Bearer ${access}` },
  });
  return await view.json();
}

/** `kittify events --state STATE --json`, quietly. */
async function eventsJson(state: string): Promise<Array<{ event: { event_id: string } }>> {
  const out = await cliCommand(["events", "--state", state, "--json"], { cwd: repo, home })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

let server: { url: string; stop(): Promise<void> } | undefined;
try {
  await Deno.mkdir(repo, { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "remote", "add", "origin", "git@github.com:acme/demo-project.git");
  console.log(`demo repository: ${repo}\nKITTIFY_HOME:    ${home}`);

  server = await startServer();
  await step("a user of the server, in team demo-team", [
    "serve",
    "user",
    "add",
    "demo",
    "--team",
    "demo-team",
    "--data",
    join(base, "server.kv"),
  ], PASSWORD);
  await step("point this machine at the server", ["sync", "server", server.url]);
  await step("log in (the password comes from stdin)", [
    "auth",
    "login",
    "--username",
    "demo",
    "--password-stdin",
  ], PASSWORD);

  await step("give the project a stable identity", ["init"]);
  const identity = JSON.parse(
    await step("every command that needs it reads the same identity", ["identity", "--json"]),
  );
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
  await step("each command delivered its events as it ended", ["sync", "status"]);
  await step("the events this machine stored, now delivered", ["events"]);
  const local = await eventsJson("synced");

  const view = await serverView(server.url, identity.project_uuid);
  const lanes = view.features.flatMap((f) =>
    f.work_packages.map((wp) => `${f.feature_slug}/${wp.wp_id} ${wp.lane}`)
  );
  console.log(`\nthe server's view of ${identity.project_slug}: ${lanes.join(", ")}`);
  const pending = await eventsJson("pending");
  const ids = new Set(local.map((e) => e.event.event_id));
  if (pending.length > 0 || ids.size !== local.length || view.event_count !== local.length) {
    throw new Error(
      `server holds ${view.event_count} events, this machine delivered ${local.length} ` +
        `(${pending.length} still pending)`,
    );
  }
  console.log(
    `${view.event_count} events stored at the server, each exactly once: the same ${local.length} ` +
      "this machine stored and delivered",
  );
  console.log("\ndemo finished");
} finally {
  await server?.stop();
  await removeTree(base);
}
