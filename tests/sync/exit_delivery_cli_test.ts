/**
 * Delivery at the end of an emitting command, as subprocesses against a real `kittify serve`
 * behind the fault-injecting proxy: the events arrive when the server is up; when it is down or
 * black-holed the command's stdout and exit code do not change (one warning line at most); no
 * network at all when logged out, with auto_start off, or while another process delivers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import { exitAttemptMs, MIN_EXIT_ATTEMPT_MS } from "../../src/sync/runtime.ts";
import { SERVE_PASSWORD } from "../helpers/serve.ts";
import { type SyncWorld, validEvent, withSyncWorld } from "../helpers/sync_client.ts";
import { login as serverLogin, postBatch } from "../server/harness.ts";

const BATCH = "/api/v1/events/batch/";

/** A server, a proxy, a client with a feature of two work packages (not announced yet). */
function withWorld(fn: (w: SyncWorld) => Promise<void>): Promise<void> {
  return withSyncWorld(async (world) => {
    for (
      const args of [["feature", "create", "Demo"], ["tasks", "add", "One"], [
        "tasks",
        "add",
        "Two",
      ]]
    ) {
      const r = await world.client.run(args);
      assert.equal(r.code, 0, r.stderr);
    }
    await fn(world);
  });
}

const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("warning:"));

Deno.test("exit delivery: logged in with the server up, every command's events arrive at once", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    await client.login("alice");
    const finalize = await client.run(["tasks", "finalize"]);
    assert.equal(finalize.code, 0, finalize.stderr);
    assert.deepEqual(warnings(finalize.stderr), []);
    assert.equal((await client.head()).stats.count.pending, 0, "delivered before the exit");
    const implement = await client.run(["implement", "WP01"]);
    assert.equal(implement.stdout, "WP01: planned → in_progress (actor: user)\n");
    assert.equal(implement.stderr, "");
    const stored = [...(await server.storedEvents()).values()].map((s) => s.event);
    // FeatureCreated was emitted before the login: it went with the first delivery.
    assert.deepEqual(stored.map((e) => e.event_type).sort(), [
      "FeatureCreated",
      "WPCreated",
      "WPCreated",
      "WPStatusChanged",
    ]);
    assert.ok(stored.every((e) => e.team_slug === "acme" || e.event_type === "FeatureCreated"));
    assert.equal((await server.projectRow("acme", client.project))?.event_count, 4);
    assert.equal(proxy.to(BATCH).length, 2, "one request per command");
    // A command that emits nothing makes no request.
    const requests = proxy.requests.length;
    await client.run(["tasks", "list"]);
    assert.equal(proxy.requests.length, requests);
  });
});

Deno.test("exit delivery: server down or black-holed: same stdout and exit code, one warning", async () => {
  await withWorld(async ({ proxy, client }) => {
    await client.login("alice");
    await client.run(["tasks", "finalize"]);
    const offlineLike = "WP01: planned → in_progress (actor: user)\n";

    proxy.rule = () => ({ kind: "reset" });
    const down = await client.run(["implement", "WP01"]);
    assert.equal(down.code, 0);
    assert.equal(down.stdout, offlineLike);
    const [warning, ...more] = warnings(down.stderr);
    assert.deepEqual(more, []);
    assert.match(warning, /1 event\(s\) not delivered yet \(.*\); they wait in the outbox/);
    assert.match(warning, /kittify sync status/);

    proxy.rule = (req) => req.path === BATCH ? { kind: "blackhole" } : { kind: "pass" };
    const started = performance.now();
    const holed = await client.run(["move", "WP01", "--to", "for_review", "--json"]);
    const elapsed = performance.now() - started;
    assert.equal(holed.code, 0);
    assert.equal(JSON.parse(holed.stdout).to_lane, "for_review");
    assert.equal(warnings(holed.stderr).length, 1);
    assert.match(warnings(holed.stderr)[0], /did not answer in time/);
    // Not a speed test (see scripts/bench): only that the request's own 60 s limit is not waited.
    assert.ok(elapsed < 20_000, `the exit budget bounds the wait (${elapsed} ms)`);

    const status = JSON.parse((await client.run(["sync", "status", "--json"])).stdout);
    assert.equal(status.queue.pending, 2);
    assert.equal(status.health.consecutive_failures, 2);
    assert.equal(status.health.last_failure.category, "timeout");
    proxy.rule = () => ({ kind: "pass" });
    assert.equal((await client.run(["sync", "now"])).code, 0);
  });
});

Deno.test("exit delivery: no network when logged out, with auto_start off, or while another process delivers", async () => {
  await withWorld(async ({ proxy, client }) => {
    const loggedOut = await client.run(["tasks", "finalize"]);
    assert.equal(loggedOut.code, 0);
    assert.equal(proxy.requests.length, 0, "not logged in: no network at all");

    await client.login("alice");
    const config = join(client.repo, ".kittify", "config.yaml");
    const original = await Deno.readTextFile(config);
    await Deno.writeTextFile(config, `${original}sync:\n  auto_start: false\n`);
    const before = proxy.requests.length;
    assert.equal((await client.run(["implement", "WP01"])).code, 0);
    assert.equal(proxy.requests.length, before, "auto_start: false");
    await Deno.writeTextFile(config, original);

    // Another process holds the delivery lease (a `sync now`, a `sync watch`): it takes ours.
    const kv = await Deno.openKv(join(client.home, "kittify.kv"));
    try {
      const lease = await new KvOutbox(kv).acquireLease(
        { owner: "other", pid: 1, hostname: "h", purpose: "sync now" },
        60_000,
      );
      assert.equal(lease.acquired, true);
    } finally {
      kv.close();
    }
    const busy = await client.run(["move", "WP01", "--to", "for_review"]);
    assert.equal(busy.code, 0);
    assert.deepEqual(warnings(busy.stderr), []);
    assert.equal(proxy.requests.length, before, "the lease holder delivers, not this command");
    assert.equal((await client.head()).stats.count.pending, 5);
  });
});

Deno.test("exit delivery: events the server rejects are one warning and a failure in sync status", async () => {
  await withSyncWorld(async ({ server, client }) => {
    // Another team owns the project on this server: acme's events for it are rejected.
    const eve = await serverLogin(server.url, "eve", SERVE_PASSWORD);
    await postBatch(server.url, eve.access, [validEvent(client.project, 0, "rival")]);
    await client.login("alice");
    const created = await client.run(["feature", "create", "Theirs"]);
    assert.equal(created.code, 0);
    const [warning, ...more] = warnings(created.stderr);
    assert.deepEqual(more, []);
    assert.match(warning, /the server rejected 1 event\(s\) \(.*authorization check failed/);
    const status = JSON.parse((await client.run(["sync", "status", "--json"])).stdout);
    assert.equal(status.health.last_failure.category, "authorization");
    assert.equal(status.health.consecutive_failures, 1);
  }, { users: [{ username: "alice", team: "acme" }, { username: "eve", team: "rival" }] });
});

Deno.test("exit delivery: the budget counts from the process's start, with a floor for long commands", () => {
  assert.equal(exitAttemptMs(1_500, 200), 1_300);
  assert.equal(exitAttemptMs(1_500, 1_400), MIN_EXIT_ATTEMPT_MS);
  assert.equal(exitAttemptMs(1_500, 60_000), MIN_EXIT_ATTEMPT_MS);
  assert.equal(exitAttemptMs(1_500, 0), 1_500);
});
