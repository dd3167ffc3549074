/**
 * Delivery under crashes and concurrency, with real processes: `sync now` killed with SIGKILL at
 * random moments, then run again, leaves every event at the server exactly once and the outbox
 * empty; two `sync now` at once never upload an event twice (the delivery lease).
 */
import assert from "node:assert/strict";
import { killIfRunning } from "../helpers/fs.ts";
import { cliCommand } from "../helpers/cli.ts";
import { withSyncWorld } from "../helpers/sync_client.ts";

const BATCH = "/api/v1/events/batch/";

Deno.test({
  name: "sync now killed with SIGKILL 10 times, then rerun: every event exactly once at the server",
  fn: () =>
    withSyncWorld(async ({ server, proxy, client }) => {
      // Slow batches widen the windows: between send and answer, answer and commit.
      proxy.rule = (req) => req.path === BATCH ? { kind: "delay", ms: 120 } : { kind: "pass" };
      const seeded: string[] = [];
      let killedDelivering = 0;
      for (let round = 0; round < 10; round++) {
        seeded.push(...await client.seed(700));
        const requests = proxy.to(BATCH).length;
        const child = cliCommand(["sync", "now"], { cwd: client.repo, home: client.home }).spawn();
        let exited = false;
        child.status.then(() => (exited = true));
        // Once this run is delivering (after any wait for the lease a killed run left behind),
        // kill it at a random moment: before, during or after a request, mid-commit.
        while (!exited && proxy.to(BATCH).length === requests) {
          await new Promise((r) => setTimeout(r, 5));
        }
        await new Promise((r) => setTimeout(r, Math.random() * 400));
        if (!exited && killIfRunning(child)) killedDelivering++;
        await child.output();
      }
      const last = await client.run(["sync", "now", "--json"]);
      assert.equal(last.code, 0, last.stderr);
      assert.equal(JSON.parse(last.stdout).remaining ?? 0, 0);
      const head = await client.head();
      assert.deepEqual([head.stats.count.pending, head.stats.count.dead], [0, 0]);
      const stored = await server.storedEvents();
      assert.equal(stored.size, seeded.length);
      assert.deepEqual([...stored.keys()].sort(), [...seeded].sort());
      assert.equal(
        (await server.projectRow("acme", client.project))?.event_count,
        seeded.length,
        "each event counted once in the view, however often it was sent",
      );
      const sent = proxy.sentEventIds();
      assert.ok(sent.length >= seeded.length);
      assert.ok(killedDelivering >= 5, `${killedDelivering} runs were killed while delivering`);
    }, { login: "alice" }),
});

Deno.test("two sync now at once: one delivers while the other waits; no event is uploaded twice", async () => {
  await withSyncWorld(async ({ server, proxy, client }) => {
    const ids = await client.seed(3_000);
    proxy.rule = (req) => req.path === BATCH ? { kind: "delay", ms: 50 } : { kind: "pass" };
    const [a, b] = await Promise.all([
      client.run(["sync", "now", "--json"]),
      client.run(["sync", "now", "--json"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const synced = [a, b].map((r) => JSON.parse(r.stdout).synced ?? 0);
    assert.equal(synced[0] + synced[1], 3_000);
    const sent = proxy.sentEventIds();
    assert.equal(sent.length, 3_000, "no event went twice");
    assert.deepEqual(sent, ids);
    assert.equal((await server.storedEvents()).size, 3_000);
  }, { login: "alice" });
});
