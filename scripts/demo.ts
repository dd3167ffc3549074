/**
 * `deno task demo [--keep]`: kittify's main job on its embedded defaults, end to end, in
 * throw-away folders: a reference sync server (`kittify serve`, its own store, a free loopback
 * port), a user, a login, `kittify sync watch` delivering live, then a project whose every
 * work-package change becomes one event, stored locally and at once delivered to the server.
 * Finally the server's view is compared with the local events: each one exactly once. Every step
 * is the real CLI as a subprocess with the binary's permission flags, shown with its output.
 *
 * `--keep` leaves the server running (and its folder in place) and prints the dashboard's URL
 * and the demo user's credentials.
 */
import { join } from "node:path";
import { cliArgv, cliCommand } from "../tests/helpers/cli.ts";
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

/** A free loopback port (taken and released at once). */
function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return port;
}

/**
 * `kittify serve` in the background on a free port, its output discarded (so it can outlive the
 * demo with `--keep`); resolves once it answers.
 */
async function startServer(): Promise<{ url: string; stop(): Promise<void>; keep(): void }> {
  const port = freePort();
  const args = ["serve", "--port", String(port), "--data", join(base, "server.kv")];
  console.log(`\n$ kittify ${shown(args)} &    # a reference sync server on this machine`);
  const [program, ...argv] = cliArgv(args);
  const child = new Deno.Command(program, {
    args: argv,
    cwd: base,
    env: { KITTIFY_HOME: home, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    const up = await fetch(`${url}/healthz`).then(async (r) => {
      await r.body?.cancel();
      return true;
    }, () => false);
    if (up) break;
    if (i > 200) throw new Error("kittify serve did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`kittify serve listening on ${url}`);
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
    // The demo ends; the server goes on on its own.
    keep: () => child.unref(),
  };
}

/** `kittify sync watch` in the background; resolves once it is connected. */
async function startWatch(): Promise<{ stop(): Promise<string> }> {
  console.log(`\n$ kittify sync watch &    # stay connected: every event goes live`);
  const child = cliCommand(["sync", "watch"], { cwd: repo, home }).spawn();
  let states = "";
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (states += chunk) }),
  );
  child.stdout.cancel();
  let exited = false;
  child.status.then(() => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!states.includes("connected:")) {
    if (exited || states.includes("logged out") || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      throw new Error(`kittify sync watch did not connect:\n${states}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(states.trim());
  let shown = states.length;
  return {
    stop: async () => {
      child.kill("SIGINT");
      await child.status;
      await reading;
      const rest = states.slice(shown);
      shown = states.length;
      return rest.trim();
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

/** Waits (10 s at most) until nothing is pending: the watch delivers within a moment. */
async function untilDelivered(): Promise<void> {
  for (let i = 0; i < 500 && (await eventsJson("pending")).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `kittify events --state STATE --json`, quietly. */
async function eventsJson(state: string): Promise<Array<{ event: { event_id: string } }>> {
  const out = await cliCommand(["events", "--state", state, "--json"], { cwd: repo, home })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const keep = Deno.args.includes("--keep");
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let watch: Awaited<ReturnType<typeof startWatch>> | undefined;
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

  watch = await startWatch();

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
  await untilDelivered();
  await step("the watch delivered every event as it was stored", ["sync", "status"]);
  console.log(`\n$ kill -INT <sync watch>    # stop the live sync\n${await watch.stop()}`);
  watch = undefined;
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
  if (keep) {
    server.keep();
    console.log(
      `\nThe server keeps running: open the dashboard at ${server.url}/ and sign in as demo ` +
        `with the password "${PASSWORD}".\nIts folder: ${base}\nStop it with ` +
        `\`pkill -f '${join(base, "server.kv")}'\` and remove the folder when done.`,
    );
  }
  console.log("\ndemo finished");
} finally {
  await watch?.stop(); // only when a step failed while it was running
  if (!keep) {
    await server?.stop();
    await removeTree(base);
  }
}
