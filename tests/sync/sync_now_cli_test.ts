/**
 * `kittify sync now` as a subprocess, against a real `kittify serve` subprocess behind the
 * fault-injecting proxy: bulk delivery exactly once, per-event rejections, whole-batch answers,
 * backoff, dead letters, the report, strict exit codes. Loopback only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Fault, FaultProxy } from "../helpers/fault_proxy.ts";
import {
  type SyncClientBox,
  type SyncWorld,
  validEvent,
  withSyncWorld,
} from "../helpers/sync_client.ts";
import { login as serverLogin, postBatch } from "../server/harness.ts";

const BATCH = "/api/v1/events/batch/";

/** A server (alice in acme, eve in rival), a proxy in front, a client logged in as alice. */
function withWorld(fn: (w: SyncWorld) => Promise<void>): Promise<void> {
  return withSyncWorld(fn, {
    users: [{ username: "alice", team: "acme" }, { username: "eve", team: "rival" }],
    login: "alice",
  });
}

async function syncNow(client: SyncClientBox, ...flags: string[]) {
  const result = await client.run(["sync", "now", "--json", ...flags]);
  return { ...result, summary: result.stdout ? JSON.parse(result.stdout) : null };
}

Deno.test("sync now: 2,500 events, each stored once at the server, FIFO, outbox empty", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    const ids = await client.seed(2_500);
    const { code, summary, stderr } = await syncNow(client);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      [summary.synced, summary.duplicates, summary.failed, summary.dead, summary.remaining],
      [2_500, 0, 0, 0, 0],
    );
    const batches = proxy.to(BATCH);
    assert.deepEqual(batches.map((b) => b.events?.length), [1000, 1000, 500]);
    assert.deepEqual(proxy.sentEventIds(), ids, "oldest first, each sent once");
    for (const b of batches) {
      assert.equal(b.headers.get("content-encoding"), "gzip");
      assert.equal(b.headers.get("x-spec-kitty-sync-protocol"), "2.0");
      assert.match(b.headers.get("authorization") ?? "", /^Bearer \S+$/);
    }
    const stored = await server.storedEvents();
    assert.deepEqual([...stored.keys()].sort(), [...ids].sort());
    assert.equal((await server.projectRow("acme", client.project))?.event_count, 2_500);
    const head = await client.head();
    assert.deepEqual([head.stats.count.pending, head.stats.count.synced], [0, 1_000]);

    const again = await client.run(["sync", "now"]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Queue is empty, nothing to sync/);
    assert.equal(proxy.to(BATCH).length, 3, "an empty queue contacts nobody");
    const status = JSON.parse((await client.run(["sync", "status", "--json"])).stdout);
    assert.equal(status.health.consecutive_failures, 0);
    assert.ok(status.health.last_success_at);
  });
});

Deno.test("sync now: a real per-event rejection is a strike; strict exit, --report, --no-strict", async () => {
  await withWorld(async ({ server, client }) => {
    // Team rival owns the project first: the server rejects acme's events for it, per event.
    const eve = await serverLogin(server.url, "eve", "correct horse battery");
    const claim = await postBatch(server.url, eve.access, [validEvent(client.project, 0, "rival")]);
    assert.equal(claim.status, 200);
    const ids = await client.seed(3);
    // A report that could not be written is refused before anything is sent.
    const aFile = join(client.repo, "a-file");
    await Deno.writeTextFile(aFile, "");
    for (
      const bad of [
        join(client.repo, "no-such-folder", "r.json"),
        client.repo,
        join(aFile, "r.json"),
      ]
    ) {
      const refused = await client.run(["sync", "now", "--report", bad]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        /^error: --report .*(does not exist|is a folder|cannot be written)/m,
      );
      assert.doesNotMatch(refused.stderr, /internal error/);
    }
    assert.equal((await client.head()).stats.pending_retries["0 retries"], 3, "nothing sent");
    const report = join(client.repo, "..", "report.json");
    const strict = await syncNow(client, "--report", report);
    assert.equal(strict.code, 1, "strict: failures exit 1");
    assert.deepEqual([strict.summary.synced, strict.summary.failed, strict.summary.remaining], [
      0,
      3,
      3,
    ]);
    assert.deepEqual(strict.summary.categories.map((c: { category: string }) => c.category), [
      "authorization",
    ]);
    assert.match(strict.summary.categories[0].action, /belongs to another team/);
    const written = JSON.parse(await Deno.readTextFile(report));
    assert.deepEqual(Object.keys(written), ["generated_at", "summary", "failures"]);
    assert.equal(written.summary.failed, 3);
    assert.deepEqual(written.failures.map((f: { event_id: string }) => f.event_id), ids);
    assert.match(written.failures[0].error, /authorization check failed for team 'acme'/);
    const pending = await client.run(["events", "--state", "pending", "--json"]);
    assert.equal(JSON.parse(pending.stdout).length, 3);
    assert.deepEqual((await client.head()).stats.pending_retries["1-3 retries"], 3);

    const lenient = await syncNow(client, "--no-strict");
    assert.equal(lenient.code, 0, "--no-strict exits 0 whatever happened");
    assert.equal(lenient.summary.failed, 3);
  });
});

Deno.test("sync now: 5 rejections make a dead letter; dead-letter retry delivers it later", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    const [poison, ...rest] = await client.seed(4);
    // The hosted service's form (fixture 05): a 400 whose details name the event at fault.
    proxy.rule = (req): Fault =>
      req.events?.some((e) => e.event_id === poison)
        ? {
          kind: "status",
          status: 400,
          body: {
            error: "Batch validation failed",
            details: [{
              event_id: poison,
              error: "Invalid schema: project_uuid authorization check failed for team 'x'",
            }],
          },
        }
        : { kind: "pass" };
    const first = await syncNow(client);
    assert.equal(first.code, 1);
    assert.deepEqual([first.summary.synced, first.summary.failed], [3, 1]);
    assert.deepEqual(proxy.to(BATCH).map((b) => b.events?.length), [4, 3], "resent without it");
    for (let run = 2; run <= 5; run++) assert.equal((await syncNow(client)).code, 1);
    const dead = JSON.parse((await client.run(["sync", "dead-letter", "list", "--json"])).stdout);
    assert.equal(dead.length, 1);
    assert.equal(dead[0].event_id, poison);
    assert.equal(dead[0].errors.length, 5, "every reason is kept");
    assert.equal((await client.head()).stats.count.pending, 0);
    const quiet = await syncNow(client);
    assert.equal(quiet.code, 0, "a dead letter is never sent again on its own");
    const before = proxy.to(BATCH).length;

    proxy.rule = () => ({ kind: "pass" });
    const retried = await client.run(["sync", "dead-letter", "retry", poison]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /Requeued 1 event/);
    const last = await syncNow(client);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.summary.synced, 1);
    assert.equal(proxy.to(BATCH).length, before + 1);
    const stored = await server.storedEvents();
    assert.deepEqual([...stored.keys()].sort(), [poison, ...rest].sort());
    const unknown = await client.run(["sync", "dead-letter", "retry", poison]);
    assert.equal(unknown.code, 1, "no longer a dead letter");
  });
});

Deno.test("sync now: a 400 without details is bisected to the poison event; a 413 halves", async () => {
  await withWorld(async ({ server, proxy, client }) => {
    const ids = await client.seed(40);
    const poison = ids[29];
    proxy.rule = (req): Fault => {
      if (!req.events) return { kind: "pass" };
      if (req.events.length > 16) {
        return { kind: "status", status: 413, body: { error: "Too big" } };
      }
      if (req.events.some((e) => e.event_id === poison)) {
        return { kind: "status", status: 400, body: { error: "Bad request" } };
      }
      return { kind: "pass" };
    };
    const { summary } = await syncNow(client);
    assert.deepEqual([summary.synced, summary.failed, summary.remaining], [39, 1, 1]);
    assert.deepEqual(summary.failures.map((f: { event_id: string }) => f.event_id), [poison]);
    const delivered = proxy.to(BATCH).filter((r) => r.fault === "pass").flatMap((r) => r.events!);
    assert.deepEqual(delivered.map((e) => e.event_id), ids.filter((id) => id !== poison));
    assert.equal((await server.storedEvents()).size, 39);

    // An event too large for the server on its own is dead at once.
    proxy.rule = (req) =>
      req.events?.some((e) => e.event_id === poison)
        ? { kind: "status", status: 413, body: { error: "Too big" } }
        : { kind: "pass" };
    const again = await syncNow(client);
    assert.deepEqual([again.summary.dead, again.summary.dead_letters], [1, 1]);
  });
});

Deno.test("sync now: 401 renews once; 403 and 412 stop with the server's reason; no strikes", async () => {
  await withWorld(async ({ proxy, client }) => {
    await client.seed(2);
    let first = true;
    proxy.rule = (req): Fault => {
      if (req.path !== BATCH || !first) return { kind: "pass" };
      first = false;
      return { kind: "status", status: 401, body: { error: "Authentication failed" } };
    };
    const renewed = await syncNow(client);
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.equal(renewed.summary.synced, 2);
    assert.equal(proxy.to("/api/v1/token/refresh/").length, 1);

    await client.seed(2);
    proxy.rule = (req) =>
      req.path === BATCH
        ? { kind: "status", status: 401, body: { error: "nope" } }
        : { kind: "pass" };
    const refused = await syncNow(client);
    assert.equal(refused.code, 1);
    assert.equal(refused.summary.stopped.category, "auth_expired");
    assert.match(refused.summary.stopped.hint, /kittify auth login/);

    for (const [status, pattern] of [[403, /403/], [412, /protocol/]] as const) {
      proxy.rule = (req) =>
        req.path === BATCH
          ? { kind: "status", status, body: { error: `refused ${status}`, details: "speaks 3.0" } }
          : { kind: "pass" };
      const stopped = await syncNow(client);
      assert.equal(stopped.code, 1);
      assert.match(stopped.summary.stopped.reason, pattern);
    }
    assert.deepEqual((await client.head()).stats.pending_retries["0 retries"], 2, "no strikes");
  });
});

Deno.test("sync now: a redirect is not followed: nothing goes to the other address", async () => {
  await withWorld(async ({ proxy, client }) => {
    await client.seed(2);
    const elsewhere = FaultProxy.start(proxy.url);
    try {
      proxy.rule = (req) =>
        req.path === BATCH
          ? { kind: "status", status: 307, headers: { location: `${elsewhere.url}${BATCH}` } }
          : { kind: "pass" };
      const { code, summary } = await syncNow(client);
      assert.equal(code, 1);
      assert.match(summary.stopped.reason, /redirects \(HTTP 307\) to http:\/\/127\.0\.0\.1:\d+/);
      assert.equal(elsewhere.requests.length, 0, "no token, no event went to the other address");
      assert.equal((await client.head()).stats.count.pending, 2);
    } finally {
      await elsewhere.close();
    }
  });
});

Deno.test("sync now: 503 with Retry-After and a 429 are retried after waiting; never a strike", async () => {
  await withWorld(async ({ proxy, client }) => {
    await client.seed(3);
    const answers: Fault[] = [
      { kind: "status", status: 503, body: { error: "busy" }, headers: { "retry-after": "1" } },
      { kind: "status", status: 429, body: { error: "slow down" } },
      { kind: "reset" },
    ];
    proxy.rule = (req) =>
      req.path === BATCH ? answers.shift() ?? { kind: "pass" } : { kind: "pass" };
    const { code, summary, stderr } = await syncNow(client);
    assert.equal(code, 0, stderr);
    assert.equal(summary.synced, 3);
    const batches = proxy.to(BATCH);
    assert.deepEqual(batches.map((b) => b.fault), ["status", "status", "reset", "pass"]);
    assert.ok(batches[1].at - batches[0].at >= 1_000, "Retry-After: 1 was honoured");
    const status = JSON.parse((await client.run(["sync", "status", "--json"])).stdout);
    assert.equal(status.health.consecutive_failures, 0);
  });
});

Deno.test("sync now: not logged in or logged in elsewhere, nothing is sent; held events never", async () => {
  await withWorld(async ({ proxy, client }) => {
    // Held: emitted outside any project, while logged in.
    const outside = await Deno.makeTempDir();
    try {
      const held = await client.run(
        [
          "emit",
          "HistoryAdded",
          "--aggregate-id",
          "WP01",
          "--payload",
          '{"wp_id":"WP01","entry_type":"note","entry_content":"x"}',
        ],
        { cwd: outside },
      );
      assert.equal(held.code, 0, held.stderr);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
    const empty = await client.run(["sync", "now"]);
    assert.match(empty.stdout, /Queue is empty/);
    assert.equal(proxy.to(BATCH).length, 0, "held events are never sent");

    await client.seed(2);
    const other = FaultProxy.start(proxy.url);
    try {
      await client.setServer(other.url);
      const elsewhere = await client.run(["sync", "now"]);
      assert.equal(elsewhere.code, 1);
      assert.match(
        elsewhere.stderr,
        /logged in to http:\/\/127\.0\.0\.1:\d+, but the sync server is now/,
      );
      assert.equal(other.requests.length, 0, "tokens are never sent to another server");
    } finally {
      await other.close();
    }
    await client.setServer(proxy.url);
    await client.run(["auth", "logout"]);
    const before = proxy.requests.length;
    const out = await client.run(["sync", "now"]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /not logged in to .*2 event\(s\) wait in the outbox/);
    assert.equal(proxy.requests.length, before, "no request without a login");
  });
});
