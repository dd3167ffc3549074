/**
 * `deno task smoke ARCHIVE` (or `--binary PATH`): checks a release binary the way a user gets it,
 * on the platform it was built for. .github/workflows/release.yml runs it on a runner of each
 * platform (Linux x64/arm64, macOS x64/arm64, Windows x64); nothing here is specific to one OS.
 *
 * 1. The archive's SHA-256 is the one in the SHA256SUMS beside it; it is unpacked with the
 *    system's `tar` (as the README tells users; Windows' own tar.exe opens the zip).
 * 2. On macOS, a Mach-O binary passes `codesign --verify`.
 * 3. `kittify --version` names the version of deno.json.
 * 4. A short real loop in a throw-away git repository with a private KITTIFY_HOME: `init`,
 *    `feature create`, `tasks add`, `tasks finalize`, `implement`, then `kittify serve` on a
 *    loopback port with a user added by `serve user add`, `sync server`, `auth login
 *    --password-stdin` and `sync now`; finally the server's own view (its API, as that user)
 *    holds exactly the events this machine stored, and the work package's lane.
 *
 * Exit 0 when every step passed; otherwise the failing step with the command's output, exit 1.
 */
import { basename, dirname, join } from "node:path";
import { VERSION } from "../../src/cli/version.ts";
import { sha256Hex, systemTar } from "./package.ts";

const PASSWORD = "smoke test password";

class SmokeFailure extends Error {}

function fail(message: string): never {
  throw new SmokeFailure(message);
}

function say(line: string): void {
  console.log(line);
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (argv prefix `kittify`) with `args`; fails the smoke test on a non-zero exit. */
async function kittify(
  cli: string[],
  args: string[],
  opts: { cwd: string; home: string; stdin?: string; allowFail?: boolean },
): Promise<Ran> {
  const child = new Deno.Command(cli[0], {
    args: [...cli.slice(1), ...args],
    cwd: opts.cwd,
    env: { KITTIFY_HOME: opts.home, NO_COLOR: "1" },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${opts.stdin}\n`));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  const ran = { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  if (ran.code !== 0 && !opts.allowFail) {
    fail(
      `kittify ${args.join(" ")} exited ${ran.code}\n--- stdout\n${ran.stdout}--- stderr\n` +
        ran.stderr,
    );
  }
  say(`ok  kittify ${args.join(" ")}`);
  return ran;
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "Smoke",
      GIT_AUTHOR_EMAIL: "smoke@example.com",
      GIT_COMMITTER_NAME: "Smoke",
      GIT_COMMITTER_EMAIL: "smoke@example.com",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) fail(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Checks the archive against SHA256SUMS beside it and unpacks it into `into`; the binary. */
export async function unpack(archive: string, into: string): Promise<string> {
  const sumsPath = join(dirname(archive), "SHA256SUMS");
  const sums = await Deno.readTextFile(sumsPath).catch(() =>
    fail(`no SHA256SUMS beside ${archive}`)
  );
  const name = basename(archive);
  const expected = sums.split("\n").map((l) => l.match(/^([0-9a-f]{64}) [ *](.+)$/))
    .find((m) => m?.[2] === name)?.[1];
  if (!expected) fail(`SHA256SUMS has no line for ${name}`);
  const actual = await sha256Hex(await Deno.readFile(archive));
  if (actual !== expected) fail(`${name}: SHA-256 ${actual}, SHA256SUMS says ${expected}`);
  say(`ok  ${name} matches SHA256SUMS (${actual})`);
  await Deno.mkdir(into, { recursive: true });
  const tar = systemTar();
  const out = await new Deno.Command(tar, { args: ["-xf", archive, "-C", into], stderr: "piped" })
    .output();
  if (!out.success) fail(`tar -xf ${name}: ${new TextDecoder().decode(out.stderr)}`);
  const binary = join(into, Deno.build.os === "windows" ? "kittify.exe" : "kittify");
  await Deno.stat(binary).catch(() => fail(`${name} holds no ${basename(binary)}`));
  say(`ok  unpacked ${name} with ${basename(tar)}`);
  return binary;
}

/** On macOS a Mach-O binary must carry a valid (at least ad-hoc) signature. */
async function codesign(binary: string): Promise<void> {
  if (Deno.build.os !== "darwin") return;
  const head = new Uint8Array(4);
  const file = await Deno.open(binary);
  await file.read(head);
  file.close();
  const magic = new DataView(head.buffer).getUint32(0, false);
  if (![0xcffaedfe, 0xfeedfacf, 0xcafebabe].includes(magic)) {
    say(`--  codesign skipped: ${binary} is not a Mach-O binary`);
    return;
  }
  const out = await new Deno.Command("codesign", {
    args: ["--verify", "--verbose=2", binary],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) fail(`codesign --verify ${binary}: ${text}`);
  say(`ok  codesign --verify: ${text.split("\n").join("; ")}`);
}

interface ProjectView {
  event_count: number;
  features: Array<{ feature_slug: string; work_packages: Array<{ wp_id: string; lane: string }> }>;
}

/** `kittify serve --port 0` in the background; resolves with its URL once it listens. */
async function serve(cli: string[], data: string, cwd: string, home: string) {
  const child = new Deno.Command(cli[0], {
    args: [...cli.slice(1), "serve", "--port", "0", "--data", data],
    cwd,
    env: { KITTIFY_HOME: home, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const collect = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(
      new WritableStream({ write: (chunk) => void (output += decoder.decode(chunk)) }),
    ).catch(() => {});
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await done;
  };
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!(url = output.match(/kittify serve listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1])) {
    if (exited || Date.now() > deadline) {
      await stop();
      fail(`kittify serve did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  say(`ok  kittify serve --port 0 (listening on ${url})`);
  return { url, stop, output: () => output };
}

async function serverView(url: string, project: string): Promise<ProjectView> {
  const login = await fetch(`${url}/api/v1/token/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "smoke", password: PASSWORD }),
  });
  if (!login.ok) fail(`server login: HTTP ${login.status} ${await login.text()}`);
  const { access } = await login.json();
  const view = await fetch(`${url}/api/v1/projects/${project}/`, {
    headers: { authorization: `Bearer ${access}` },
  });
  if (!view.ok) fail(`server view of ${project}: HTTP ${view.status} ${await view.text()}`);
  return await view.json();
}

/** The whole check against the CLI `cli` (argv prefix), in a fresh folder under `base`. */
export async function smoke(cli: string[], base: string): Promise<void> {
  const version = await kittify(cli, ["--version"], { cwd: base, home: join(base, "home") });
  if (version.stdout.trim() !== `kittify ${VERSION}`) {
    fail(`--version printed ${JSON.stringify(version.stdout.trim())}, expected kittify ${VERSION}`);
  }

  const repo = join(base, "smoke-project");
  const home = join(base, "home");
  const data = join(base, "server.kv");
  await Deno.mkdir(repo, { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "remote", "add", "origin", "https://github.com/kittify/smoke-project.git");
  const opts = { cwd: repo, home };
  await kittify(cli, ["init"], opts);
  await kittify(cli, ["feature", "create", "Release Smoke"], opts);
  await kittify(cli, ["tasks", "add", "Check the binary"], opts);
  await kittify(cli, ["tasks", "finalize"], opts);
  await kittify(cli, ["implement", "WP01"], opts);
  const identity = JSON.parse((await kittify(cli, ["identity", "--json"], opts)).stdout);
  const pendingBefore = JSON.parse(
    (await kittify(cli, ["events", "--state", "pending", "--json"], opts)).stdout,
  ) as Array<{ event: { event_id: string; event_type: string } }>;
  const types = pendingBefore.map((e) => e.event.event_type).join(", ");
  if (pendingBefore.length < 3) fail(`expected at least 3 pending events, got: ${types}`);
  say(`ok  ${pendingBefore.length} events stored locally: ${types}`);

  await kittify(cli, ["serve", "user", "add", "smoke", "--team", "smoke", "--data", data], {
    ...opts,
    stdin: PASSWORD,
  });
  const server = await serve(cli, data, base, home);
  try {
    await kittify(cli, ["sync", "server", server.url], opts);
    await kittify(cli, ["auth", "login", "--username", "smoke", "--password-stdin"], {
      ...opts,
      stdin: PASSWORD,
    });
    const synced = await kittify(cli, ["sync", "now"], opts);
    if (!/Synced:\s*\d+/.test(synced.stdout)) fail(`sync now said:\n${synced.stdout}`);
    const pendingAfter = JSON.parse(
      (await kittify(cli, ["events", "--state", "pending", "--json"], opts)).stdout,
    ) as unknown[];
    if (pendingAfter.length !== 0) fail(`${pendingAfter.length} events still pending`);

    const view = await serverView(server.url, identity.project_uuid);
    if (view.event_count !== pendingBefore.length) {
      fail(
        `the server holds ${view.event_count} events of the project, ` +
          `this machine stored ${pendingBefore.length}`,
      );
    }
    const lanes = view.features.flatMap((f) =>
      f.work_packages.map((wp) => `${f.feature_slug}/${wp.wp_id} ${wp.lane}`)
    );
    if (!lanes.includes("001-release-smoke/WP01 in_progress")) {
      fail(`the server's view: ${lanes.join(", ") || "no work packages"}`);
    }
    say(`ok  the server's view holds all ${view.event_count} events: ${lanes.join(", ")}`);
  } finally {
    await server.stop();
  }
}

async function main(args: string[]): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "kittify-smoke-" });
  try {
    let binary: string;
    if (args[0] === "--binary" && args[1]) binary = args[1];
    else if (args.length === 1 && !args[0].startsWith("-")) {
      binary = await unpack(args[0], join(base, "unpacked"));
    } else {
      console.error("usage: deno task smoke ARCHIVE | --binary PATH");
      Deno.exit(2);
    }
    await codesign(binary);
    await smoke([binary], base);
    say(`smoke test passed: ${binary} (${Deno.build.os} ${Deno.build.arch})`);
  } finally {
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`smoke test FAILED: ${e instanceof SmokeFailure ? e.message : e}`);
    Deno.exit(1);
  }
}
