/**
 * Snapshots of what users read (see snapshots_test.ts): auth and sync commands against a real
 * `kittify serve`, `sync watch` included, and `serve` with `serve user`.
 */
import { join } from "node:path";
import { cliCommand } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";
import { SERVE_PASSWORD, startServe } from "../helpers/serve.ts";
import { Transcript } from "../helpers/snapshot.ts";
import { syncClientBox, validEvent } from "../helpers/sync_client.ts";
import { connected, startWatch } from "../helpers/watch.ts";
import { login, postBatch } from "../server/harness.ts";

Deno.test("snapshot: auth and sync commands against a real server", async () => {
  const server = await startServe([
    { username: "alice", team: "acme" },
    { username: "bob", team: "acme" },
  ]);
  const client = await syncClientBox(server.url);
  const t = new Transcript()
    .literal(client.repo, "<repo>")
    .literal(client.home, "<home>")
    .literal(server.url, "<server>");
  const opts = { cwd: client.repo, home: client.home };
  const run = (...args: string[]) => t.run(args, opts);
  try {
    await run("sync", "server");
    await run("sync", "server", "https://sync.example.com/");
    await run("sync", "server", server.url);
    await run("auth", "status");
    await run("sync", "status", "--check");
    await t.run(["auth", "login", "--username", "alice", "--password-stdin"], {
      ...opts,
      stdin: "wrong password\n",
    });
    await t.run(["auth", "login", "--username", "alice", "--password-stdin"], {
      ...opts,
      stdin: `${SERVE_PASSWORD}\n`,
    });
    await run("auth", "status");
    await run("sync", "status", "--check");
    // Stored without a delivery attempt (an emitting command would try one at its end).
    await client.seed(3);
    await run("sync", "status");
    await run("sync", "now");
    await run("sync", "now");
    await run("sync", "status");

    // sync watch until it is connected, then one event of a teammate in the feed, then Ctrl-C.
    const watch = startWatch(client);
    try {
      await watch.until(connected(watch), "connected");
      const { access } = await login(server.url, "bob", SERVE_PASSWORD);
      const theirs = validEvent(client.project, 0, "acme");
      theirs.payload = { ...theirs.payload, author: "bob" };
      await postBatch(server.url, access, [theirs]);
      await watch.until(() => watch.stdout().length > 0, "the teammate's event in the feed");
      const code = await watch.interrupt();
      t.record("sync watch  (then Ctrl-C)", {
        code,
        stdout: watch.stdout().join("\n"),
        stderr: watch.stderr().join("\n"),
      });
    } finally {
      await watch.kill().catch(() => {});
    }

    await run("auth", "logout");
    await run("auth", "logout");
    await t.check("sync");
  } finally {
    await client.cleanup();
    await server.close();
  }
});

Deno.test("snapshot: serve and serve user", async () => {
  const sb = await sandbox({ git: false });
  const data = join(sb.repo, "server.kv");
  const t = new Transcript().literal(sb.repo, "<dir>").literal(sb.home, "<home>");
  const opts = { cwd: sb.repo, home: sb.home };
  const run = (...args: string[]) => t.run([...args, "--data", data], opts);
  try {
    await run("serve", "user", "list");
    await t.run(["serve", "user", "add", "ann", "--team", "acme", "--data", data], {
      ...opts,
      stdin: `${SERVE_PASSWORD}\n`,
    });
    await t.run(["serve", "user", "add", "bob", "--team", "local", "--data", data], {
      ...opts,
      stdin: `${SERVE_PASSWORD}\n`,
    });
    await t.run(["serve", "user", "add", "cy", "--team", "acme", "--data", data], {
      ...opts,
      stdin: "short\n",
    });
    await run("serve", "user", "list");
    await run("serve", "user", "remove", "ann");
    await run("serve", "user", "remove", "ann");
    await run("serve", "migrate");
    await run("serve", "migrate", "--json");

    // The server until it listens, then SIGTERM.
    const child = cliCommand(["serve", "--port", "0", "--data", data], opts).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let stdout = "";
    while (!/\ndashboard: \S+\n/.test(stdout)) {
      const { done, value } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const url = /listening on (\S+)/.exec(stdout)?.[1];
    if (url) t.literal(url, "<url>");
    child.kill("SIGTERM");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const { code } = await child.status;
    t.record("serve --port 0 --data <dir>/server.kv  (then SIGTERM)", {
      code,
      stdout,
      stderr: await stderr,
    });
    await t.check("serve");
  } finally {
    await sb.cleanup();
  }
});
