/**
 * `kittify auth login|logout|status` and token refresh as subprocesses, against a real
 * `kittify serve` behind the fault-injecting proxy; the credentials file in spec-kitty's format.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCredentials } from "../../src/auth/credentials.ts";
import { formatCredentials } from "../../src/auth/credentials_file.ts";
import { SERVE_PASSWORD } from "../helpers/serve.ts";
import { type SyncClientBox, type SyncWorld, withSyncWorld } from "../helpers/sync_client.ts";
import { postJson } from "../server/harness.ts";

const REFRESH = "/api/v1/token/refresh/";
const BATCH = "/api/v1/events/batch/";

const withWorld = (fn: (w: SyncWorld) => Promise<void>) => withSyncWorld(fn);

const credentialsPath = (client: SyncClientBox) => join(client.home, "credentials");

async function readCreds(client: SyncClientBox) {
  return await parseCredentials(await Deno.readTextFile(credentialsPath(client)));
}

/** Rewrites the credentials file with some fields changed (as time or another tool would). */
async function editCreds(client: SyncClientBox, change: Record<string, unknown>) {
  const creds = await readCreds(client);
  await Deno.writeTextFile(
    credentialsPath(client),
    await formatCredentials({ ...creds!, ...change }),
  );
}

const PAST = new Date(Date.UTC(2001, 0, 1));

Deno.test("auth: login, status, logout; wrong password and bad servers are one-line errors", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    const wrong = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: "not the password\n",
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: invalid username or password$/m);
    await assert.rejects(Deno.stat(credentialsPath(client)), Deno.errors.NotFound);
    // Nothing piped: said so, without asking the server.
    const requests = proxy.requests.length;
    assert.ok(requests > 0, "the wrong password went through the proxy");
    const empty = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: "",
    });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /^error: stdin holds no password/m);
    assert.equal(proxy.requests.length, requests, "the server was not asked");

    const notLoggedIn = await client.run(["auth", "status", "--json"]);
    assert.equal(notLoggedIn.code, 3, "a documented exit code for 'not logged in'");
    assert.equal(JSON.parse(notLoggedIn.stdout).logged_in, false);

    const ok = await client.run(["auth", "login", "-u", "alice", "--password-stdin", "--json"], {
      stdin: `${SERVE_PASSWORD}\n`,
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).team_slug, "acme");
    assert.ok(!ok.stdout.includes(SERVE_PASSWORD) && !ok.stderr.includes(SERVE_PASSWORD));
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(credentialsPath(client))).mode! & 0o777, 0o600);
    }
    const creds = (await readCreds(client))!;
    const status = await client.run(["auth", "status", "--json"]);
    assert.equal(status.code, 0);
    const s = JSON.parse(status.stdout);
    assert.deepEqual([s.logged_in, s.username, s.team_slug, s.server_url], [
      true,
      "alice",
      "acme",
      proxy.url,
    ]);
    assert.ok(s.access.valid && s.refresh.valid && s.access.remaining_seconds > 800);
    assert.ok(!status.stdout.includes(creds.access) && !status.stdout.includes(creds.refresh));
    const human = await client.run(["auth", "status"]);
    assert.match(human.stdout, /Logged in as\s+alice/);
    assert.ok(!human.stdout.includes(creds.access));

    const already = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: `${SERVE_PASSWORD}\n`,
    });
    assert.equal(already.code, 0);
    assert.match(already.stdout, /Already logged in as alice/);

    const out = await client.run(["auth", "logout"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Logged out alice \(revoked on/);
    await assert.rejects(Deno.stat(credentialsPath(client)), Deno.errors.NotFound);
    const reuse = await postJson(`${server.url}${REFRESH}`, { refresh: creds.refresh });
    assert.equal(reuse.status, 401, "the login is revoked on the server");
    assert.equal((await client.run(["auth", "status"])).code, 3);
    assert.match((await client.run(["auth", "logout"])).stdout, /Not logged in/);

    // The server down: one line, exit 1. A server error: one line, exit 1.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedUrl = `http://127.0.0.1:${(closed.addr as Deno.NetAddr).port}`;
    closed.close();
    await client.setServer(closedUrl);
    const down = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: `${SERVE_PASSWORD}\n`,
    });
    assert.equal(down.code, 1);
    assert.equal(
      down.stderr.split("\n").filter((l) => l.startsWith("error:"))[0],
      `error: cannot reach the sync server ${closedUrl} (connection refused)`,
    );
    await client.setServer(proxy.url);
    proxy.rule = () => ({ kind: "status", status: 500, body: { error: "Internal server error" } });
    const broken = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: `${SERVE_PASSWORD}\n`,
    });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /server error \(HTTP 500/);
    // Plain http to another host is refused before any request.
    await client.setServer("http://sync.example.com");
    const insecure = await client.run(["auth", "login", "-u", "alice", "--password-stdin"], {
      stdin: `${SERVE_PASSWORD}\n`,
    });
    assert.equal(insecure.code, 1);
    assert.match(insecure.stderr, /only sent over https/);
  });
});

Deno.test("auth: an expired access token is refreshed once (rotated, saved); an expired login asks to log in", async () => {
  await withWorld(async ({ proxy, client }) => {
    await client.login("alice");
    const before = (await readCreds(client))!;
    await editCreds(client, { accessExpiresAt: PAST });
    await client.seed(1);
    const synced = await client.run(["sync", "now"]);
    assert.equal(synced.code, 0, synced.stderr);
    assert.equal(proxy.to(REFRESH).length, 1);
    const after = (await readCreds(client))!;
    assert.ok(after.accessExpiresAt!.getTime() > Date.now(), "a fresh access token was saved");
    assert.notEqual(after.refresh, before.refresh, "the refresh token rotated");
    assert.equal(after.username, "alice");
    assert.equal(after.teamSlug, "acme");

    // A token the server refuses although it looks unexpired: 401, refresh, retry.
    await editCreds(client, { access: "forged.token.value" });
    await client.seed(1);
    assert.equal((await client.run(["sync", "now"])).code, 0);
    assert.equal(proxy.to(REFRESH).length, 2);

    // Both tokens expired: no request at all, "log in".
    await editCreds(client, { accessExpiresAt: PAST, refreshExpiresAt: PAST });
    await client.seed(1);
    const requests = proxy.requests.length;
    const expired = await client.run(["sync", "now"]);
    assert.equal(expired.code, 1);
    assert.match(expired.stderr, /session expired/);
    assert.equal(proxy.requests.length, requests);
  });
});

Deno.test("auth: a refresh the server refuses clears the credentials: session expired", async () => {
  await withWorld(async ({ client }) => {
    await client.login("alice");
    await editCreds(client, { accessExpiresAt: PAST, refresh: "not.a.token" });
    await client.seed(1);
    const result = await client.run(["sync", "now", "--json"]);
    assert.equal(result.code, 1);
    const summary = JSON.parse(result.stdout);
    assert.match(summary.stopped.reason, /session expired, log in again/);
    await assert.rejects(Deno.stat(credentialsPath(client)), Deno.errors.NotFound);
    assert.equal((await client.head()).stats.count.pending, 1, "the event waits");
  });
});

Deno.test("auth: two processes refreshing with one refresh token: one refresh, both stay logged in", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    await client.login("alice");
    await editCreds(client, { accessExpiresAt: PAST });
    await client.seed(600);
    // Slow refreshes widen the window in which both processes want one.
    proxy.rule = (req) => req.path === REFRESH ? { kind: "delay", ms: 300 } : { kind: "pass" };
    const [a, b] = await Promise.all([
      client.run(["sync", "now", "--json"]),
      client.run(["sync", "now", "--json"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(proxy.to(REFRESH).length, 1, "the second process adopted the new tokens");
    assert.equal((await server.storedEvents()).size, 600);
    // The family was not revoked: the stored refresh token still works.
    const creds = (await readCreds(client))!;
    assert.equal(
      (await postJson(`${server.url}${REFRESH}`, { refresh: creds.refresh })).status,
      200,
    );
  });
});

Deno.test("credentials: spec-kitty's file is read as is, and kittify writes the same format", async () => {
  // Reference §5.2, as the Python CLI writes it (naive ISO instants in UTC, no team when unknown).
  const python = `[tokens]
access = "eyJ.access"
refresh = "eyJ.refresh"
access_expires_at = "2999-02-12T10:15:00.123456"
refresh_expires_at = "2999-02-19T10:00:00.123456"

[user]
username = "user@example.com"
team_slug = "my-team"

[server]
url = "https://spec-kitty-dev.fly.dev"
`;
  const creds = (await parseCredentials(python))!;
  assert.equal(creds.username, "user@example.com");
  assert.equal(creds.teamSlug, "my-team");
  assert.equal(creds.serverUrl, "https://spec-kitty-dev.fly.dev");
  assert.equal(creds.accessExpiresAt?.toISOString(), "2999-02-12T10:15:00.123Z");
  const written = await formatCredentials(creds);
  // JavaScript dates keep milliseconds: the microseconds come back as 123000.
  assert.equal(written.replaceAll(".123000", ".123456"), python);
  assert.match(written, /^access_expires_at = "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}"$/m);

  await withWorld(async ({ client }) => {
    // A login made by the other tool is a login here too.
    await Deno.mkdir(client.home, { recursive: true });
    await Deno.writeTextFile(
      credentialsPath(client),
      python.replace("https://spec-kitty-dev.fly.dev", await readServer(client)),
      { mode: 0o600 },
    );
    const status = JSON.parse((await client.run(["auth", "status", "--json"])).stdout);
    assert.deepEqual([status.logged_in, status.username, status.team_slug], [
      true,
      "user@example.com",
      "my-team",
    ]);
  });
});

async function readServer(client: SyncClientBox): Promise<string> {
  const text = await Deno.readTextFile(join(client.home, "config.toml"));
  return /server_url = "([^"]+)"/.exec(text)![1];
}

Deno.test("sync server: shows and sets the URL, keeps the rest of config.toml, https unless loopback", async () => {
  await withWorld(async ({ proxy, client }) => {
    const config = join(client.home, "config.toml");
    await Deno.writeTextFile(
      config,
      `# mine\n[sync]\nserver_url = "${proxy.url}"  # here\nmax_queue_size = 5000\n\n[other]\nkey = "kept"\n`,
    );
    const shown = JSON.parse((await client.run(["sync", "server", "--json"])).stdout);
    assert.equal(shown.server_url, proxy.url);
    const set = await client.run(["sync", "server", "https://sync.example.com/"]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      await Deno.readTextFile(config),
      `# mine\n[sync]\nserver_url = "https://sync.example.com"  # here\nmax_queue_size = 5000\n\n[other]\nkey = "kept"\n`,
    );
    const refused = await client.run(["sync", "server", "http://sync.example.com"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only sent over https/);
    assert.equal((await client.run(["sync", "server", "http://localhost:8787"])).code, 0);
    assert.equal((await client.run(["sync", "server", "ftp://x"])).code, 1);
    const withPassword = await client.run([
      "sync",
      "server",
      "https://me:hunter2@sync.example.com",
    ]);
    assert.equal(withPassword.code, 1);
    assert.ok(!withPassword.stderr.includes("hunter2"), "a password in a URL is never repeated");
    assert.equal(proxy.requests.length, 0);
  });
});

Deno.test("sync status --check: connected, not logged in, unreachable (exit 1 unless connected)", async () => {
  await withWorld(async ({ proxy, client }) => {
    const anonymous = await client.run(["sync", "status", "--check", "--json"]);
    assert.equal(anonymous.code, 1);
    assert.equal(JSON.parse(anonymous.stdout).check.status, "not_logged_in");
    assert.equal(proxy.to(BATCH).length, 0);
    await client.login("alice");
    const ok = await client.run(["sync", "status", "--check", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).check.status, "connected");
    const probe = proxy.to(BATCH)[0];
    assert.deepEqual(probe.events, [], "the probe sends an empty batch, never an event");
    proxy.rule = () => ({ kind: "reset" });
    const gone = await client.run(["sync", "status", "--check"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stdout, /Check\s+unreachable/);
  });
});
