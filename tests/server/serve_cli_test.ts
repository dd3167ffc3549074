/**
 * `kittify serve` and `kittify serve user ...` as real subprocesses with the binary's permission
 * flags: user management, start-up on a free port, a real sync round trip, clean shutdown on
 * SIGTERM and SIGINT, and a store that survives the restart.
 */
import { KvUserRecords } from "../../src/server/storage/kv/kv_users.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cliArgv, cliCommand, runKittify } from "../helpers/cli.ts";
import { UserStore } from "../../src/server/auth/users.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { postBatch, PROJECT, results, send, statusEvent } from "./harness.ts";
import { WsClient, wsToken } from "./ws_client.ts";

const PASSWORD = "s3cret-enough";

interface Served {
  url: string;
  stop(signal: Deno.Signal): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts `kittify serve --port 0` and waits for its "listening on" line. */
async function serve(dir: string, home: string, data: string): Promise<Served> {
  const child = cliCommand(["serve", "--port", "0", "--data", data], { cwd: dir, home }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  let url: string | undefined;
  while (!url) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`serve exited early: ${stdout}\n${await stderr}`);
    stdout += value;
    url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
  }
  return {
    url,
    stop: async (signal) => {
      child.kill(signal);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        stdout += value;
      }
      const { code } = await child.status;
      return { code, stdout, stderr: await stderr };
    },
  };
}

Deno.test("serve user add/list/remove manage users in the store", async () => {
  const dir = await tempDir();
  const home = join(dir, "home");
  const data = join(dir, "data", "server.kv");
  const kittify = (args: string[], stdin?: string) =>
    runKittify(["serve", "user", ...args, "--data", data], { cwd: dir, home, stdin });
  try {
    // Listing or removing never creates a store; a missing --data folder is made only on request.
    const none = await kittify(["list"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no server store at .*server\.kv/);
    const noFolder = await kittify(["add", "carol", "--team", "acme"], `${PASSWORD}\n`);
    assert.equal(noFolder.code, 1);
    assert.match(noFolder.stderr, /the folder .*data does not exist\nhint: .*--mkdir/);
    await assert.rejects(Deno.stat(join(dir, "data")), Deno.errors.NotFound);

    const added = await kittify(["add", "carol", "--team", "acme", "--mkdir"], `${PASSWORD}\n`);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added user carol \(team acme\)/);
    assert.ok(!added.stdout.includes(PASSWORD) && !added.stderr.includes(PASSWORD));
    // --data after the subcommand names the store (not the default under KITTIFY_HOME).
    assert.ok((await Deno.stat(data)).isFile);
    await assert.rejects(Deno.stat(join(home, "server.kv")), Deno.errors.NotFound);

    const again = await kittify(["add", "carol", "--team", "acme"], `${PASSWORD}\n`);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const badTeam = await kittify(["add", "dave", "--team", "Not A Slug"], `${PASSWORD}\n`);
    assert.equal(badTeam.code, 1);
    assert.match(badTeam.stderr, /not a slug/);
    const lookAlike = await kittify(["add", "p\u0430ypal", "--team", "acme"], `${PASSWORD}\n`);
    assert.equal(lookAlike.code, 1);
    assert.match(lookAlike.stderr, /^error: the username mixes letters of Latin and Cyrillic/);
    const short = await kittify(["add", "dave", "--team", "acme"], "short\n");
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 8/);

    const listed = await kittify(["list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const users = JSON.parse(listed.stdout);
    assert.deepEqual(users.map((u: { username: string; team: string }) => [u.username, u.team]), [
      ["carol", "acme"],
    ]);
    assert.ok(!listed.stdout.includes("hash"));

    assert.equal((await kittify(["remove", "carol"])).code, 0);
    const gone = await kittify(["remove", "carol"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no user 'carol'/);
    assert.deepEqual(JSON.parse((await kittify(["list", "--json"])).stdout), []);
  } finally {
    await removeTree(dir);
  }
});

// Windows has no SIGTERM/SIGINT delivery to another process.
Deno.test({
  name:
    "serve: starts on a free port, syncs, shuts down cleanly; restarted, or a second process on the same store, it stores the project's new events",
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await tempDir();
  const home = join(dir, "home");
  const data = join(dir, "server.kv");
  try {
    const added = await runKittify([
      "serve",
      "user",
      "add",
      "carol",
      "--team",
      "acme",
      "--data",
      data,
    ], {
      cwd: dir,
      home,
      stdin: PASSWORD,
    });
    assert.equal(added.code, 0, added.stderr);

    const first = await serve(dir, home, data);
    const login = await send(`${first.url}/api/v1/token/`, {
      method: "POST",
      body: JSON.stringify({ username: "carol", password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const { access, refresh } = login.body as { access: string; refresh: string };
    const event = statusEvent({ to: "for_review" });
    assert.equal(results(await postBatch(first.url, access, [event]))[0].status, "success");
    const socket = await WsClient.connect(first.url, await wsToken(first.url, access));
    assert.equal((await socket.next()).type, "snapshot");

    const stopped = await first.stop("SIGTERM");
    assert.equal((await socket.closed).code, 1001);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stderr, /POST \/api\/v1\/events\/batch\/ 200 \d+\.\dms/);
    assert.match(stopped.stderr, /GET \/ws\/v1\/events\/ 101/);
    assert.match(stopped.stderr, /SIGTERM received: shutting down\nstopped\n$/);
    for (const secret of [access, refresh, PASSWORD]) {
      assert.ok(!stopped.stderr.includes(secret) && !stopped.stdout.includes(secret));
    }

    // The store was closed and kept everything: a restarted server has the project and the
    // same signing key (the old access token is still valid).
    const second = await serve(dir, home, data);
    const view = await send(`${second.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    assert.equal(view.status, 200);
    const project = view.body as { features: Array<{ work_packages: Array<{ lane: string }> }> };
    assert.equal(project.features[0].work_packages[0].lane, "for_review");
    const again = await postBatch(second.url, access, [event]);
    assert.equal(results(again)[0].status, "duplicate");
    // The project's owner is read back from the store: new events of the project are stored,
    // by the restarted server and by a second server process on the same store.
    const next = statusEvent({ from: "for_review", to: "done", lamport_clock: 2 });
    assert.deepEqual(results(await postBatch(second.url, access, [next])), [
      { event_id: next.event_id, status: "success" },
    ]);
    const third = await serve(dir, home, data);
    const other = statusEvent({ wp: "WP02", lamport_clock: 3 });
    assert.deepEqual(results(await postBatch(third.url, access, [other])), [
      { event_id: other.event_id, status: "success" },
    ]);
    const thirdStopped = await third.stop("SIGTERM");
    assert.equal(thirdStopped.code, 0, thirdStopped.stderr);
    const lanes = await send(`${second.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    const wps = (lanes.body as typeof project).features[0].work_packages as Array<
      { wp_id: string; lane: string }
    >;
    assert.deepEqual(wps.map((wp) => [wp.wp_id, wp.lane]), [["WP01", "done"], [
      "WP02",
      "in_progress",
    ]]);
    const stoppedAgain = await second.stop("SIGINT");
    assert.equal(stoppedAgain.code, 0, stoppedAgain.stderr);
    assert.match(stoppedAgain.stderr, /SIGINT received/);
  } finally {
    await removeTree(dir);
  }
});

Deno.test("serve: --data with --database-url, a password in argv, and a bad port are usage errors; a busy port is exit 1", async () => {
  const dir = await tempDir();
  try {
    const both = await runKittify(
      ["serve", "--data", "x.kv", "--database-url", "postgres://u@127.0.0.1:1/db"],
      { cwd: dir, home: join(dir, "home") },
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /mutually exclusive/);
    const secret = "s3cret-do-not-print";
    const inArgv = await runKittify(
      ["serve", "user", "list", "--database-url", `postgres://u:${secret}@127.0.0.1:1/db`],
      { cwd: dir, home: join(dir, "home") },
    );
    assert.equal(inArgv.code, 2);
    assert.match(inArgv.stderr, /must not contain a password.*\n.*PGPASSWORD/s);
    const notPostgres = await runKittify(
      ["serve", "user", "list", "--database-url", "mysql://u@127.0.0.1/db"],
      { cwd: dir, home: join(dir, "home") },
    );
    assert.equal(notPostgres.code, 2);
    assert.match(notPostgres.stderr, /postgres:\/\/ or postgresql:\/\//);
    // Unreachable database: one line naming it with the password masked, exit 1.
    const down = await runKittify(["serve", "user", "list"], {
      cwd: dir,
      home: join(dir, "home"),
      env: { DATABASE_URL: `postgres://u:${secret}@127.0.0.1:1/db` },
    });
    assert.equal(down.code, 1, down.stderr);
    assert.match(
      down.stderr,
      /cannot connect to the database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    );
    for (const out of [inArgv, down]) assert.ok(!(out.stdout + out.stderr).includes(secret));
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const busy = await runKittify(
        ["serve", "--port", String((taken.addr as Deno.NetAddr).port), "--data", join(dir, "s.kv")],
        { cwd: dir, home: join(dir, "home") },
      );
      assert.equal(busy.code, 1, busy.stderr);
      assert.match(
        busy.stderr,
        /^error: cannot listen on 127\.0\.0\.1:\d+: .*\nhint: another process/,
      );
    } finally {
      taken.close();
    }
    const port = await runKittify(["serve", "--port", "99999"], {
      cwd: dir,
      home: join(dir, "home"),
    });
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port/);
  } finally {
    await removeTree(dir);
  }
});

// util-linux `script` provides the pseudo-terminal; macOS and Windows have none like it.
Deno.test({
  name: "serve user add on a terminal asks twice without echo (util-linux script as the pty)",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const dir = await tempDir();
  const data = join(dir, "server.kv");
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const command = cliArgv(["serve", "user", "add", "tty-user", "--team", "acme", "--data", data])
    .map(quote).join(" ");
  try {
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      env: { KITTIFY_HOME: join(dir, "home"), NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Type each answer only once its prompt is shown, as a person would (before that the
    // terminal still echoes).
    const writer = child.stdin.getWriter();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const stderr = new Response(child.stderr).text();
    let text = "";
    for (const prompt of ["Password: ", "Repeat password: "]) {
      while (!text.includes(prompt)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`no prompt '${prompt}': ${text}`);
        text += value;
      }
      await writer.write(new TextEncoder().encode(`${PASSWORD}\r`));
    }
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    const output = await child.status;
    await writer.close();
    await stderr;
    assert.equal(output.code, 0, text);
    assert.match(text, /Password: /);
    assert.match(text, /Repeat password: /);
    assert.match(text, /Added user tty-user \(team acme\)/);
    assert.ok(!text.includes(PASSWORD), "the password was echoed");
    const kv = await Deno.openKv(data);
    try {
      assert.ok(await new UserStore(new KvUserRecords(kv)).authenticate("tty-user", PASSWORD));
    } finally {
      kv.close();
    }
  } finally {
    await removeTree(dir);
  }
});
