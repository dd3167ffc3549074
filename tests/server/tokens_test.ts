/** Login, token expiry, refresh rotation with reuse detection, token kinds, removed users. */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { type UserRecord, UserStore } from "../../src/server/auth/users.ts";
import { userKey } from "../../src/server/storage/kv/keys.ts";
import {
  login,
  PASSWORD,
  postBatch,
  postJson,
  send,
  startTestServer,
  type TestServer,
} from "./harness.ts";
import { wsToken } from "./ws_client.ts";

async function withServer(run: (server: TestServer) => Promise<void>) {
  const server = await startTestServer();
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

const refresh = (url: string, token: string) =>
  postJson(`${url}/api/v1/token/refresh/`, { refresh: token });

Deno.test("token: login returns the original's shape; bad credentials are one 401", async () => {
  await withServer(async (server) => {
    const ok = await postJson(`${server.url}/api/v1/token/`, {
      username: "alice",
      password: PASSWORD,
    });
    assert.equal(ok.status, 200);
    const body = ok.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      "access",
      "access_lifetime",
      "refresh",
      "refresh_lifetime",
      "team_slug",
    ]);
    assert.equal(body.access_lifetime, 900);
    assert.equal(body.refresh_lifetime, 604800);
    assert.equal(body.team_slug, "acme");

    const wrong = await postJson(`${server.url}/api/v1/token/`, {
      username: "alice",
      password: "wrong password",
    });
    const unknown = await postJson(`${server.url}/api/v1/token/`, {
      username: "mallory",
      password: PASSWORD,
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    // A name too long to be a store key is just unknown (not a 500).
    const long = await postJson(`${server.url}/api/v1/token/`, {
      username: "u".repeat(5000),
      password: PASSWORD,
    });
    assert.equal(long.status, 401);
    assert.deepEqual(long.body, unknown.body);
    const malformed = await postJson(`${server.url}/api/v1/token/`, { username: "alice" });
    assert.equal(malformed.status, 400);
  });
});

Deno.test("token: access tokens expire; refresh gives a new pair and rotates", async () => {
  await withServer(async (server) => {
    const first = await login(server.url, "alice");
    server.advance(first.access_lifetime + 1);
    assert.equal((await postBatch(server.url, first.access, [])).status, 401);

    const renewed = await refresh(server.url, first.refresh);
    assert.equal(renewed.status, 200);
    const second = renewed.body as typeof first;
    assert.notEqual(second.refresh, first.refresh);
    assert.equal(second.team_slug, "acme");
    assert.equal((await postBatch(server.url, second.access, [])).status, 200);

    // The new refresh token works once more; refresh tokens expire too.
    const third = (await refresh(server.url, second.refresh)).body as typeof first;
    server.advance(third.refresh_lifetime + 1);
    assert.equal((await refresh(server.url, third.refresh)).status, 401);
  });
});

Deno.test("token: reusing a used refresh token revokes the whole family", async () => {
  await withServer(async (server) => {
    const first = await login(server.url, "alice");
    const second = (await refresh(server.url, first.refresh)).body as typeof first;
    const replay = await refresh(server.url, first.refresh);
    assert.equal(replay.status, 401);
    assert.match(String((replay.body as { details: string }).details), /already used/);
    // The legitimate holder's current token is revoked with the family.
    assert.equal((await refresh(server.url, second.refresh)).status, 401);
    // Another login is a new family and unaffected.
    const other = await login(server.url, "alice");
    assert.equal((await refresh(server.url, other.refresh)).status, 200);
  });
});

Deno.test("token: two refreshes racing with one token: one wins, and the family is revoked", async () => {
  await withServer(async (server) => {
    const first = await login(server.url, "alice");
    const answers = await Promise.all([
      refresh(server.url, first.refresh),
      refresh(server.url, first.refresh),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401]);
    // The second use was a reuse: the pair the winner got is revoked too.
    const winner = answers.find((a) => a.status === 200)!.body as typeof first;
    assert.equal((await refresh(server.url, winner.refresh)).status, 401);
  });
});

Deno.test("token: unsigned (alg none) and foreign-key tokens are refused", async () => {
  await withServer(async (server) => {
    const tokens = await login(server.url, "alice");
    const [, payload] = tokens.access.split(".");
    const b64 = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${payload}.`;
    const foreign = await new SignJWT(
      JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))),
    )
      .setProtectedHeader({ alg: "HS256" })
      .sign(crypto.getRandomValues(new Uint8Array(32)));
    for (const token of [unsigned, foreign]) {
      assert.equal((await postBatch(server.url, token, [])).status, 401);
    }
  });
});

Deno.test("token: kinds do not mix (ws/refresh tokens are not access tokens)", async () => {
  await withServer(async (server) => {
    const tokens = await login(server.url, "alice");
    const ws = await wsToken(server.url, tokens.access);
    assert.equal((await postBatch(server.url, ws, [])).status, 401);
    assert.equal((await postBatch(server.url, tokens.refresh, [])).status, 401);
    assert.equal((await refresh(server.url, tokens.access)).status, 401);
    const wsWithRefresh = await send(`${server.url}/api/v1/ws-token/`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.refresh}` },
    });
    assert.equal(wsWithRefresh.status, 401);
  });
});

Deno.test("token: a removed user's tokens stop working at once", async () => {
  await withServer(async (server) => {
    const tokens = await login(server.url, "bob");
    assert.equal((await postBatch(server.url, tokens.access, [])).status, 200);
    await server.kv.delete(userKey("bob"));
    assert.equal((await postBatch(server.url, tokens.access, [])).status, 401);
    assert.equal((await refresh(server.url, tokens.refresh)).status, 401);
  });
});

Deno.test("token: a user removed and added again does not revive the old tokens", async () => {
  await withServer(async (server) => {
    const old = await login(server.url, "bob");
    const oldWs = await wsToken(server.url, old.access);
    // `serve user remove bob`, then `serve user add bob --team rival`: a new record.
    const record = (await server.kv.get<UserRecord>(userKey("bob"))).value!;
    await server.kv.delete(userKey("bob"));
    await new UserStore(server.store.users).add("bob", "rival", PASSWORD);
    assert.notEqual(
      (await server.kv.get<UserRecord>(userKey("bob"))).value!.created_at,
      record.created_at,
    );

    assert.equal((await postBatch(server.url, old.access, [])).status, 401);
    assert.equal((await refresh(server.url, old.refresh)).status, 401);
    const upgrade = await send(`${server.url}/ws/v1/events/`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        authorization: `Bearer ${oldWs}`,
      },
    });
    assert.equal(upgrade.status, 401);
    // The new record's own tokens work, for the new team.
    const fresh = await login(server.url, "bob");
    assert.equal(fresh.team_slug, "rival");
    assert.equal((await postBatch(server.url, fresh.access, [])).status, 200);
  });
});

Deno.test("token: the request log has method, path, status and time, never a token", async () => {
  await withServer(async (server) => {
    const tokens = await login(server.url, "alice");
    await postBatch(server.url, tokens.access, []);
    await refresh(server.url, tokens.refresh);
    const log = server.logs.join("\n");
    assert.match(log, /^POST \/api\/v1\/token\/ 200 \d+\.\dms$/m);
    assert.match(log, /^POST \/api\/v1\/events\/batch\/ 200 \d+\.\dms$/m);
    for (const secret of [tokens.access, tokens.refresh, PASSWORD]) {
      assert.ok(!log.includes(secret));
    }
    // A path cannot forge a log line.
    await send(`${server.url}/x%0AGET%20/forged%20200%201.0ms`);
    assert.match(server.logs.at(-1)!, /^GET \/x%0AGET%20\/forged%20200%201\.0ms 404 \d+\.\dms$/);
  });
});

Deno.test("token: revoke ends a login's refresh family; unknown tokens are not an error", async () => {
  await withServer(async (server) => {
    const tokens = await login(server.url, "alice");
    const other = await login(server.url, "alice");
    const revoke = (token: unknown) =>
      postJson(`${server.url}/api/v1/token/revoke/`, { refresh: token });
    assert.equal((await revoke(tokens.refresh)).status, 200);
    const refused = await refresh(server.url, tokens.refresh);
    assert.equal(refused.status, 401);
    assert.match(JSON.stringify(refused.body), /revoked/);
    // Another login of the same user (another family) is untouched.
    assert.equal((await refresh(server.url, other.refresh)).status, 200);
    // A token that is not a refresh token of this server: 200, nothing revoked.
    assert.equal((await revoke("not-a-token")).status, 200);
    assert.equal((await revoke(other.access)).status, 200);
    assert.equal((await revoke(42)).status, 400);
  });
});

Deno.test("protocol header: 2.x is spoken, another version is a 412 with guidance", async () => {
  await withServer(async (server) => {
    const { access } = await login(server.url, "alice");
    const withVersion = (version: string) =>
      send(`${server.url}/api/v1/events/batch/`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${access}`,
          "content-type": "application/json",
          "x-spec-kitty-sync-protocol": version,
        },
        body: JSON.stringify({ events: [] }),
      });
    assert.equal((await withVersion("2.0")).status, 200);
    assert.equal((await withVersion("2.1")).status, 200);
    const old = await withVersion("1.0");
    assert.equal(old.status, 412);
    const body = old.body as { error: string; details: string };
    assert.match(body.error, /protocol/i);
    assert.match(body.details, /speaks sync protocol 2\.0/);
    assert.equal((await withVersion("3.0")).status, 412);
    // The login endpoint and the WebSocket upgrade check it too.
    const loginOld = await postJson(
      `${server.url}/api/v1/token/`,
      { username: "alice", password: PASSWORD },
      { "x-spec-kitty-sync-protocol": "1" },
    );
    assert.equal(loginOld.status, 412);
    const upgradeOld = await send(`${server.url}/ws/v1/events/`, {
      headers: { "x-spec-kitty-sync-protocol": "9.9" },
    });
    assert.equal(upgradeOld.status, 412);
  });
});
