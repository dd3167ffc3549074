/**
 * A removed user's open connections end within seconds: WebSockets close with 4401 and dashboard
 * streams say "signed-out", also when another process sharing the store removed the user; other
 * users' connections stay up and keep hearing the team.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { UserStore } from "../../src/server/auth/users.ts";
import { runKittify } from "../helpers/cli.ts";
import { SERVE_PASSWORD, startServe } from "../helpers/serve.ts";
import { login, PASSWORD, postBatch, startTestServer, statusEvent } from "./harness.ts";
import { WsClient, wsToken } from "./ws_client.ts";

async function connect(url: string, access: string): Promise<WsClient> {
  const client = await WsClient.connect(url, await wsToken(url, access));
  assert.equal((await client.next()).type, "snapshot");
  return client;
}

/** The close code, or a failure after `ms`. */
async function closedWithin(client: WsClient, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const event = await Promise.race([
      client.closed,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
      }),
    ]);
    return event.code;
  } finally {
    clearTimeout(timer);
  }
}

/** A signed-in dashboard's live stream, read as text. */
async function liveStream(url: string, username: string) {
  const signIn = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username, password: PASSWORD }),
    redirect: "manual",
  });
  await signIn.body?.cancel();
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0];
  const live = await fetch(`${url}/dashboard/live`, { headers: { cookie } });
  assert.equal(live.status, 200);
  const reader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  return {
    /** Everything until the server ended the stream. */
    async untilEnd(): Promise<string> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("a removed user's sockets and dashboard streams are closed; others stay", async () => {
  const server = await startTestServer({ timings: { userCheckMs: 100 } });
  try {
    const alice = await connect(server.url, (await login(server.url, "alice")).access);
    const bobAccess = (await login(server.url, "bob")).access;
    const bob = await connect(server.url, bobAccess);
    const board = await liveStream(server.url, "alice");
    const bobBoard = await liveStream(server.url, "bob");
    try {
      await new UserStore(server.store.users).remove("alice");
      assert.equal(await closedWithin(alice, 5_000), 4401);
      assert.match(await board.untilEnd(), /event: signed-out\n/);

      // Bob's connections were left alone and still hear the team.
      const event = statusEvent();
      assert.equal((await postBatch(server.url, bobAccess, [event])).status, 200);
      assert.equal((await bob.nextOfType("event")).event_id, event.event_id);
    } finally {
      await bob.close();
      await bobBoard.cancel();
    }
  } finally {
    await server.close();
  }
});

Deno.test("a user removed and added again: connections of the old record are closed", async () => {
  const server = await startTestServer({ timings: { userCheckMs: 300 } });
  try {
    const alice = await connect(server.url, (await login(server.url, "alice")).access);
    const users = new UserStore(server.store.users);
    // Between two checks: the name is back, but it is a new user (another created_at).
    await users.remove("alice");
    await users.add("alice", "acme", PASSWORD);
    assert.equal(await closedWithin(alice, 5_000), 4401);
  } finally {
    await server.close();
  }
});

Deno.test("`kittify serve user remove` in another process closes the user's open socket", async () => {
  const server = await startServe([
    { username: "carol", team: "acme" },
    { username: "dave", team: "acme" },
  ]);
  try {
    const carol = await connect(
      server.url,
      (await login(server.url, "carol", SERVE_PASSWORD)).access,
    );
    const dave = await connect(
      server.url,
      (await login(server.url, "dave", SERVE_PASSWORD)).access,
    );
    const removed = await runKittify(
      ["serve", "user", "remove", "carol", "--data", server.dataPath],
      { cwd: join(server.dataPath, ".."), home: join(server.dataPath, "..", "home") },
    );
    assert.equal(removed.code, 0, removed.stderr);
    // The server checks every 2 s.
    assert.equal(await closedWithin(carol, 8_000), 4401);
    assert.equal(dave.socket.readyState, WebSocket.OPEN);
    await dave.close();
  } finally {
    await server.close();
  }
});
