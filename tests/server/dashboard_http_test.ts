/** The dashboard's HTTP contract (the browser test covers the page itself). */
import assert from "node:assert/strict";
import { fill } from "../../src/server/http/dashboard_routes.ts";
import { login, PASSWORD, postBatch, send, startTestServer, statusEvent } from "./harness.ts";

Deno.test("dashboard: sign-in sets an HttpOnly, SameSite=Strict session cookie", async () => {
  const server = await startTestServer();
  try {
    const form = new URLSearchParams({ username: "alice", password: PASSWORD });
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { origin: server.url },
    });
    await response.body?.cancel();
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/");
    const cookie = response.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^kittify_session=[^;]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/); // plain http: a Secure cookie would not be kept
    const session = cookie.split(";")[0];

    const view = await send(`${server.url}/dashboard/view`, { headers: { cookie: session } });
    assert.equal(view.status, 200);
    assert.deepEqual(view.body, { team: "acme", projects: [], next_cursor: null });
    const board = await send(`${server.url}/`, { headers: { cookie: session } });
    assert.match(String(board.body), /alice · team acme/);
  } finally {
    await server.close();
  }
});

Deno.test("dashboard: no session means the sign-in form and 401 on the data endpoints", async () => {
  const server = await startTestServer();
  try {
    const home = await send(`${server.url}/`);
    assert.equal(home.status, 200);
    assert.match(String(home.body), /id="login-form"/);
    assert.match(home.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.equal((await send(`${server.url}/dashboard/view`)).status, 401);
    assert.equal((await send(`${server.url}/dashboard/live`)).status, 401);
    const forged = await send(`${server.url}/dashboard/view`, {
      headers: { cookie: "kittify_session=forged" },
    });
    assert.equal(forged.status, 401);
    const crossSite = await send(`${server.url}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "alice", password: PASSWORD }),
      headers: { origin: "https://evil.example" },
    });
    assert.equal(crossSite.status, 403);
    const wrong = await send(`${server.url}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "alice", password: "nope" }),
    });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.body), /Invalid username or password/);
  } finally {
    await server.close();
  }
});

Deno.test("dashboard: template values are HTML-escaped", () => {
  assert.equal(
    fill("<b>{{ name }}</b>", { name: `<script>"&'` }),
    "<b>&#60;script&#62;&#34;&#38;&#39;</b>",
  );
});

Deno.test("dashboard: the live stream announces stored events and ends at shutdown", async () => {
  const server = await startTestServer();
  const form = new URLSearchParams({ username: "alice", password: PASSWORD });
  const signIn = await fetch(`${server.url}/login`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  await signIn.body?.cancel();
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0];
  const live = await fetch(`${server.url}/dashboard/live`, { headers: { cookie } });
  assert.equal(live.status, 200);
  assert.match(live.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { done, value } = await reader.read();
      if (done) return false;
      text += value;
    }
    return true;
  };
  try {
    assert.ok(await until(/retry: \d+/));
    const access = (await login(server.url, "bob")).access;
    await postBatch(server.url, access, [statusEvent(), statusEvent({ lamport_clock: 2 })]);
    assert.ok(await until(/event: change\ndata: \{"events":2\}\n\n/));
  } finally {
    await server.close();
  }
  // Shutdown ended the stream.
  assert.equal(await until(/never/), false);
});

Deno.test("dashboard: sign-in reads a small body only; an impossible username is a 401", async () => {
  const server = await startTestServer();
  try {
    const huge = await send(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `username=alice&password=${"x".repeat(1024 * 1024)}`,
    });
    assert.equal(huge.status, 413);
    const long = await send(`${server.url}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "u".repeat(5000), password: PASSWORD }),
    });
    assert.equal(long.status, 401);
    assert.match(String(long.body), /Invalid username or password/);
  } finally {
    await server.close();
  }
});

Deno.test("dashboard: behind a TLS-terminating proxy the session cookie is Secure", async () => {
  const server = await startTestServer();
  try {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "alice", password: PASSWORD }),
      redirect: "manual",
      headers: { "x-forwarded-proto": "https" },
    });
    await response.body?.cancel();
    assert.equal(response.status, 303);
    assert.match(response.headers.get("set-cookie") ?? "", /; Secure/);
  } finally {
    await server.close();
  }
});
