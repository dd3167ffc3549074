/**
 * `kittify sync watch` as a subprocess against a real `kittify serve` (behind the proxy, which
 * tunnels the WebSocket): live delivery exactly once while short commands stay off the network,
 * the team's feed, Lamport's receive rule, a server restart, SIGKILL and a rerun, a server that
 * never acks, SIGINT.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SERVE_PASSWORD } from "../helpers/serve.ts";
import {
  type SyncClientBox,
  syncClientBox,
  validEvent,
  withSyncWorld,
} from "../helpers/sync_client.ts";
import { login as serverLogin, postBatch } from "../server/harness.ts";
import { connected, startWatch } from "../helpers/watch.ts";

const BATCH = "/api/v1/events/batch/";

async function pendingIsZero(client: SyncClientBox): Promise<boolean> {
  return (await client.head()).stats.count.pending === 0;
}

async function waitPending(client: SyncClientBox, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pendingIsZero(client))) {
    if (Date.now() > deadline) throw new Error("events still pending");
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("sync watch: commands' events go live through it, exactly once; the feed shows the team; clocks advance", async () => {
  await withSyncWorld(async ({ server, proxy, client }) => {
    const bob = await syncClientBox(proxy.url);
    const watcher = startWatch(client);
    try {
      await bob.login("bob");
      await watcher.until(connected(watcher), "connected");
      for (
        const args of [
          ["feature", "create", "Live"],
          ["tasks", "add", "One"],
          ["tasks", "finalize"],
          ["implement", "WP01"],
        ]
      ) {
        const r = await client.run(args);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stderr.split("\n").filter((l) => l.startsWith("warning")), []);
      }
      await waitPending(client);
      assert.equal(proxy.to(BATCH).length, 0, "the commands made no request of their own");
      assert.equal((await server.projectRow("acme", client.project))?.event_count, 3);
      // This machine's own events are in the feed too, each once, as the watch delivers them.
      await watcher.until(
        () => watcher.stdout().some((l) => l.includes("WP01") && l.includes("in_progress")),
        "this machine's own change in the feed",
      );
      assert.equal(watcher.stdout().filter((l) => l.includes("acme")).length, 3);
      const status = JSON.parse((await client.run(["sync", "status", "--json"])).stdout);
      assert.equal(status.uploader.purpose, "sync watch");
      assert.ok(status.health.last_success_at);

      // Another client of the team: its event shows in the feed, and its Lamport value pushes
      // this machine's clock past it (Lamport's receive rule).
      const { access } = await serverLogin(server.url, "bob", SERVE_PASSWORD);
      const theirs = { ...validEvent(client.project, 0, "acme"), lamport_clock: 5_000 };
      theirs.payload = { ...theirs.payload, author: "bob" };
      assert.equal((await postBatch(server.url, access, [theirs])).status, 200);
      await watcher.until(
        () => watcher.stdout().some((l) => l.includes("note: note 0") && l.includes("by bob")),
        "bob's event in the feed",
      );
      // The clock moved before the line was printed? Give the commit a moment.
      await new Promise((r) => setTimeout(r, 200));
      const moved = await client.run(["move", "WP01", "--to", "for_review", "--json"]);
      assert.equal(moved.code, 0, moved.stderr);
      const [last] = JSON.parse(
        (await client.run(["events", "--state", "pending", "--json"])).stdout || "[]",
      ).concat(JSON.parse((await client.run(["events", "--state", "synced", "--json"])).stdout))
        .filter((e: { event: { event_type: string; payload: { to_lane?: string } } }) =>
          e.event.payload.to_lane === "for_review"
        );
      assert.ok(last.event.lamport_clock > 5_000, `lamport ${last.event.lamport_clock}`);

      assert.equal(await watcher.interrupt(), 0, "SIGINT: exit 0");
      assert.ok(watcher.stderr().some((l) => l.startsWith("stopped")));
      assert.equal((await server.projectRow("acme", client.project))?.event_count, 5);
    } finally {
      await watcher.kill().catch(() => {});
      await bob.cleanup();
    }
  }, {
    users: [{ username: "alice", team: "acme" }, { username: "bob", team: "acme" }],
    login: "alice",
  });
});

Deno.test("sync watch: a logout ends its connection; nothing more is sent until a login", async () => {
  await withSyncWorld(async ({ server, client }) => {
    const watcher = startWatch(client);
    try {
      await watcher.until(connected(watcher), "connected");
      await client.seed(1);
      await waitPending(client);
      // A logout in the middle of a long drain stops it (after the batch in flight).
      await client.seed(30_000);
      const stored = async () =>
        (await server.projectRow("acme", client.project))?.event_count ?? 0;
      while (await stored() < 1_001) await new Promise((r) => setTimeout(r, 20));
      const logout = await client.run(["auth", "logout"]);
      assert.equal(logout.code, 0, logout.stderr);
      await watcher.until(
        () => watcher.stderr().some((l) => l.startsWith("logged out")),
        "the watch saying it is logged out",
      );
      const left = (await client.head()).stats.count.pending;
      assert.ok(left > 0, "the drain went on after the logout");
      // Frames already sent when the socket closed may still be stored there (unacknowledged,
      // they stay pending here and come back as duplicates later); then the count stays put.
      await new Promise((r) => setTimeout(r, 300));
      const atLogout = await stored();
      assert.ok(atLogout < 30_001, "the drain went on at the server");
      await client.seed(1);
      // Longer than the watch takes to deliver (a poll of 25 ms) and to re-read the login (1 s).
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal((await client.head()).stats.count.pending, left + 1, "sent after the logout");
      assert.equal(await stored(), atLogout, "nothing reached the server after the logout");

      await client.login("alice");
      await watcher.until(
        () => watcher.stderr().filter((l) => l.startsWith("connected")).length >= 2,
        "connected again after the login",
      );
      await waitPending(client);
      assert.equal(await stored(), 30_002);
      assert.equal(await watcher.interrupt(), 0);
    } finally {
      await watcher.kill().catch(() => {});
    }
  }, { users: [{ username: "alice", team: "acme" }], login: "alice" });
});

Deno.test("sync watch: the server restarts; it reconnects and nothing is lost or doubled", async () => {
  await withSyncWorld(async ({ server, client }) => {
    const watcher = startWatch(client);
    try {
      await watcher.until(connected(watcher), "connected");
      const first = await client.seed(3);
      await waitPending(client);
      await server.stop();
      await watcher.until(
        () => watcher.stderr().some((l) => l.startsWith("reconnecting")),
        "reconnecting",
      );
      const second = await client.seed(3);
      await server.start();
      await watcher.until(
        () => watcher.stderr().filter((l) => l.startsWith("connected")).length >= 2,
        "reconnected",
        40_000,
      );
      await waitPending(client);
      const stored = await server.storedEvents();
      assert.deepEqual([...stored.keys()].sort(), [...first, ...second].sort());
      assert.equal((await server.projectRow("acme", client.project))?.event_count, 6);
      assert.equal(await watcher.interrupt(), 0);
    } finally {
      await watcher.kill().catch(() => {});
    }
  }, { login: "alice" });
});

Deno.test("sync watch killed with SIGKILL mid-stream, then run again: every event once", async () => {
  await withSyncWorld(async ({ server, proxy, client }) => {
    const ids = await client.seed(3_000);
    proxy.rule = () => ({ kind: "pass" });
    const first = startWatch(client);
    try {
      await first.until(connected(first), "connected");
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      await first.kill();
      const second = startWatch(client);
      try {
        await waitPending(client, 30_000);
        assert.equal(await second.interrupt(), 0);
      } finally {
        await second.kill().catch(() => {});
      }
      const stored = await server.storedEvents();
      assert.equal(stored.size, 3_000);
      assert.deepEqual([...stored.keys()].sort(), [...ids].sort());
      assert.equal((await server.projectRow("acme", client.project))?.event_count, 3_000);
    } finally {
      await first.kill().catch(() => {});
    }
  }, { login: "alice" });
});

for (
  const [what, onEvent] of [
    ["never acks", () => {}],
    ["closes the socket on every event", (socket: WebSocket) => socket.close(1011, "boom")],
  ] as const
) {
  Deno.test(`sync watch against a server that ${what}: the events go by HTTP, stored once`, async () => {
    await withSyncWorld(async ({ server, client }) => {
      // A front that answers the WebSocket itself (a snapshot, then `onEvent` for each frame)
      // and passes HTTP on to the real server.
      const front = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
        const url = new URL(req.url);
        if (url.pathname === "/ws/v1/events/") {
          const { socket, response } = Deno.upgradeWebSocket(req);
          socket.onopen = () =>
            socket.send(JSON.stringify({ type: "snapshot", work_packages: [] }));
          socket.onmessage = () => onEvent(socket);
          return response;
        }
        const body = req.method === "POST" ? new Uint8Array(await req.arrayBuffer()) : undefined;
        const headers = new Headers(req.headers);
        headers.delete("host");
        const answer = await fetch(`${server.url}${url.pathname}`, {
          method: req.method,
          headers,
          body,
        });
        return new Response(await answer.arrayBuffer(), {
          status: answer.status,
          headers: answer.headers,
        });
      });
      const frontUrl = `http://127.0.0.1:${front.addr.port}`;
      await Deno.writeTextFile(
        join(client.home, "config.toml"),
        `[sync]\nserver_url = "${frontUrl}"\n`,
      );
      const creds = join(client.home, "credentials");
      await Deno.writeTextFile(
        creds,
        (await Deno.readTextFile(creds)).replace(/url = ".*"/, `url = "${frontUrl}"`),
      );
      const watcher = startWatch(client);
      try {
        const ids = await client.seed(4);
        await watcher.until(connected(watcher), "connected");
        await waitPending(client, 20_000);
        const stored = await server.storedEvents();
        assert.deepEqual([...stored.keys()].sort(), [...ids].sort());
        assert.equal(await watcher.interrupt(), 0);
      } finally {
        await watcher.kill().catch(() => {});
        await front.shutdown();
      }
    }, { login: "alice" });
  });
}
