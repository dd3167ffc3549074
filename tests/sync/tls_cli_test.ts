/**
 * `kittify serve --tls-cert --tls-key` with a throw-away private CA made in the test: kittify's
 * own client logs in, delivers with `sync now` and live with `sync watch` over https and wss when
 * it trusts the CA (DENO_CERT, or SSL_CERT_FILE as spec-kitty reads it), refuses the server when
 * it does not, and the dashboard's session cookie is Secure.
 */
import assert from "node:assert/strict";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { SERVE_PASSWORD, startServe } from "../helpers/serve.ts";
import { syncClientBox } from "../helpers/sync_client.ts";
import { makeTestPki } from "../helpers/tls.ts";
import { connected, startWatch } from "../helpers/watch.ts";

Deno.test("TLS: https and wss with a private CA; trusted through DENO_CERT or SSL_CERT_FILE, refused otherwise", async () => {
  const dir = await tempDir("kittify-pki-");
  const pki = await makeTestPki(dir);
  const server = await startServe([{ username: "alice", team: "acme" }], {
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  });
  const client = await syncClientBox(server.url);
  const trusted = { env: { DENO_CERT: pki.caFile } };
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);

    // Not trusting the CA: the login is refused with one line that says why.
    const refused = await client.run(
      ["auth", "login", "--username", "alice", "--password-stdin"],
      { stdin: `${SERVE_PASSWORD}\n` },
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: .*certificate is not trusted/m);
    assert.match(refused.stderr, /^hint: .*DENO_CERT/m);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");

    // SSL_CERT_FILE, as spec-kitty reads it, is enough on its own.
    const login = await client.run(
      ["auth", "login", "--username", "alice", "--password-stdin"],
      {
        stdin: `${SERVE_PASSWORD}\n`,
        env: { SSL_CERT_FILE: pki.caFile },
        unsetEnv: ["DENO_CERT"],
      },
    );
    assert.equal(login.code, 0, login.stderr);

    // Delivery at exit and `sync now` over https.
    const created = await client.run(["feature", "create", "Secure"], trusted);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(created.stderr.split("\n").filter((l) => l.startsWith("warning")), []);
    await client.seed(20, "acme");
    const now = await client.run(["sync", "now", "--json"], trusted);
    assert.equal(now.code, 0, now.stderr);
    assert.equal((await server.storedEvents()).size, 21);

    // Live over wss.
    const watcher = startWatch(client, false, trusted.env);
    try {
      await watcher.until(connected(watcher), "connected over wss");
      const added = await client.run(["tasks", "add", "Live"], trusted);
      assert.equal(added.code, 0, added.stderr);
      const finalized = await client.run(["tasks", "finalize"], trusted);
      assert.equal(finalized.code, 0, finalized.stderr);
      const deadline = Date.now() + 15_000;
      while ((await server.storedEvents()).size < 22 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await server.storedEvents()).size, 22);
      assert.equal(await watcher.interrupt(), 0);
    } finally {
      await watcher.kill().catch(() => {});
    }

    // The dashboard's session cookie is Secure when the server speaks TLS itself.
    const http = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(pki.caFile)] });
    try {
      const signIn = await fetch(`${server.url}/login`, {
        method: "POST",
        body: new URLSearchParams({ username: "alice", password: SERVE_PASSWORD }),
        redirect: "manual",
        client: http,
      });
      await signIn.body?.cancel();
      assert.match(signIn.headers.get("set-cookie") ?? "", /; Secure/);
    } finally {
      http.close();
    }
  } finally {
    await client.cleanup();
    await server.close();
    await removeTree(dir);
  }
});

Deno.test("TLS: --tls-cert without --tls-key is a usage error; unreadable or non-PEM files are user errors", async () => {
  const dir = await tempDir("kittify-pki-");
  try {
    const pki = await makeTestPki(dir);
    const { runKittify } = await import("../helpers/cli.ts");
    const serve = (args: string[]) =>
      runKittify(["serve", "--port", "0", "--data", `${dir}/s.kv`, ...args], {
        cwd: dir,
        home: `${dir}/home`,
      });
    const half = await serve(["--tls-cert", pki.certFile]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--tls-cert and --tls-key go together/);
    const missing = await serve(["--tls-cert", `${dir}/nope.pem`, "--tls-key", pki.keyFile]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: cannot read --tls-cert .*nope\.pem/m);
    const swapped = await serve(["--tls-cert", pki.keyFile, "--tls-key", pki.certFile]);
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /^error: --tls-cert .* is not a PEM file with a certificate/m);
  } finally {
    await removeTree(dir);
  }
});
