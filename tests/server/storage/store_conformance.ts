/**
 * The one conformance suite of the server store (src/server/storage/server_store.ts): every
 * implementation runs it (kv_store_test.ts, postgres_store_test.ts). Stores are driven through
 * the engine-independent layers above them (Ingestor, ViewReader, UserStore, TokenService's
 * family rules), so what the suite checks is what the server relies on.
 */
import assert from "node:assert/strict";
import { hashPassword } from "../../../src/server/auth/password.ts";
import type { UserRecord } from "../../../src/server/auth/users.ts";
import { Ingestor } from "../../../src/server/ingest/ingest.ts";
import type { ServerStore } from "../../../src/server/storage/server_store.ts";
import { BadPageRequest } from "../../../src/server/view/page.ts";
import { ViewReader } from "../../../src/server/view/read.ts";
import type { Envelope } from "../../../src/events/types.ts";
import { PROJECT, statusEvent } from "../harness.ts";

/** A fresh, empty store, and more handles on the same store (another server process). */
export interface StoreUnderTest {
  store: ServerStore;
  another(): Promise<ServerStore>;
  cleanup(): Promise<void>;
}

const hash = hashPassword("correct horse battery");

function user(username: string, team: string): Promise<UserRecord> {
  return hash.then((password) => ({
    username,
    team,
    password,
    created_at: new Date().toISOString(),
  }));
}

function projectEvent(project: string, overrides: Partial<Envelope> = {}): Envelope {
  return statusEvent({ project_uuid: project, ...overrides });
}

/** Registers the suite's steps on `t`, each with a fresh store from `open`. */
export async function storeConformance(
  t: Deno.TestContext,
  open: () => Promise<StoreUnderTest>,
): Promise<void> {
  const step = (name: string, body: (s: StoreUnderTest) => Promise<void>) =>
    t.step(name, async () => {
      const s = await open();
      try {
        await s.store.migrate();
        await body(s);
      } finally {
        await s.cleanup();
      }
    });

  await step("migrating twice changes nothing the second time", async ({ store }) => {
    assert.equal(await store.migrate(), 0);
  });

  await step("users: insert once, get, list, delete", async ({ store }) => {
    assert.equal(await store.users.insert(await user("alice", "acme")), true);
    assert.equal(await store.users.insert(await user("alice", "other")), false);
    assert.equal(await store.users.insert(await user("bob", "rival")), true);
    assert.equal((await store.users.get("alice"))?.team, "acme");
    assert.equal(await store.users.get("carol"), undefined);
    assert.deepEqual((await store.users.list()).map((u) => u.username).sort(), ["alice", "bob"]);
    await store.users.delete("alice");
    await store.users.delete("nobody");
    assert.equal(await store.users.get("alice"), undefined);
    assert.deepEqual((await store.users.list()).map((u) => u.username), ["bob"]);
  });

  await step("refresh families: one rotation per token, revocation, expiry", async ({ store }) => {
    const f = store.families;
    await f.create("fam", { username: "alice", current: "j1", revoked: false }, 60_000);
    assert.deepEqual(await f.get("fam"), { username: "alice", current: "j1", revoked: false });
    assert.equal(await f.rotate("fam", "j0", "j2", 60_000), false, "not the current token");
    const both = await Promise.all([
      f.rotate("fam", "j1", "j2", 60_000),
      f.rotate("fam", "j1", "j3", 60_000),
    ]);
    assert.deepEqual(both.sort(), [false, true], "two uses of one token: one rotates");
    const current = (await f.get("fam"))!.current;
    assert.ok(current === "j2" || current === "j3");
    await f.revoke("fam", 60_000);
    assert.equal((await f.get("fam"))?.revoked, true);
    assert.equal(await f.rotate("fam", current, "j4", 60_000), false, "revoked");
    await f.revoke("missing", 60_000);
    assert.equal(await f.get("missing"), undefined);
    await f.create("short", { username: "bob", current: "k1", revoked: false }, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await f.get("short"), undefined, "expired");
  });

  await step("the signing key is made once and shared", async ({ store, another }) => {
    const key = await store.signingKey();
    assert.equal(key.length, 32);
    assert.deepEqual(await store.signingKey(), key);
    const second = await another();
    try {
      assert.deepEqual(await second.signingKey(), key);
    } finally {
      await second.close();
    }
  });

  await step("events: stored once per team, owned by the first team", async ({ store }) => {
    const ingest = new Ingestor(store.events);
    const events = Array.from(
      { length: 30 },
      (_, i) =>
        statusEvent({ wp: `WP${String((i % 5) + 1).padStart(2, "0")}`, lamport_clock: i + 1 }),
    );
    const first = await ingest.ingest("acme", events);
    assert.deepEqual(new Set(first.results.map((r) => r.status)), new Set(["success"]));
    assert.equal(first.accepted.length, 30);
    const again = await ingest.ingest("acme", [...events, events[0]]);
    assert.deepEqual(new Set(again.results.map((r) => r.status)), new Set(["duplicate"]));
    assert.equal(again.accepted.length, 0);
    assert.deepEqual(
      await store.events.owners([PROJECT, "nobody-owns-this"]),
      new Map([[PROJECT, "acme"]]),
    );
    // Another team: its events of acme's project are refused; its own project takes even the
    // same event ids (dedup is per team).
    const theirs = await ingest.ingest("rival", [statusEvent()]);
    assert.equal(theirs.results[0].status, "rejected");
    assert.match(String(theirs.results[0].error), /project/);
    const other = "0c3a9c1e-8d1b-4f3e-a5b2-7d4e6f8a9b10";
    const sameIds = events.slice(0, 3).map((e) => ({ ...e, project_uuid: other }));
    const rival = await ingest.ingest("rival", sameIds);
    assert.deepEqual(rival.results.map((r) => r.status), ["success", "success", "success"]);
    // One batch mixing fresh, duplicate and refused events gets one result each, in order.
    const fresh = statusEvent();
    const mixed = await ingest.ingest("acme", [fresh, events[1], projectEvent(other)]);
    assert.deepEqual(mixed.results.map((r) => r.status), ["success", "duplicate", "rejected"]);
  });

  await step(
    "texts no store can key by are refused alone, the batch's others stored",
    async ({ store }) => {
      const ingest = new Ingestor(store.events);
      const bad = ["a\u0000b", "x\ud800", "y\ud801", "\udc00"].map((slug) =>
        statusEvent({ feature: slug })
      );
      const good = statusEvent({ feature: "001-ok" });
      const outcome = await ingest.ingest("acme", [...bad, good]);
      assert.deepEqual(outcome.results.map((r) => r.status), [
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "success",
      ]);
      assert.match(String(outcome.results[0].error), /NUL character or an unpaired surrogate/);
    },
  );

  await step("12 batches naming 1,000 projects each, side by side on two handles", async (s) => {
    const second = await s.another();
    try {
      const batches = Array.from(
        { length: 6 },
        (_, b) =>
          Array.from({ length: 1000 }, (_, i) =>
            projectEvent(
              `66666666-${String(b).padStart(4, "0")}-4000-8000-${String(i).padStart(12, "0")}`,
            )),
      );
      const outcomes = await Promise.all(
        batches.map((batch, i) =>
          new Ingestor(i % 2 ? second.events : s.store.events).ingest("acme", batch)
        ),
      );
      for (const outcome of outcomes) {
        assert.deepEqual(new Set(outcome.results.map((r) => r.status)), new Set(["success"]));
      }
    } finally {
      await second.close();
    }
  });

  await step("the view: counts, lanes by order key, a feature per slug", async ({ store }) => {
    const ingest = new Ingestor(store.events);
    const views = new ViewReader(store.views);
    assert.equal(await views.project("acme", PROJECT), undefined);
    // Arrival order differs from Lamport order: the later (by clock) lane wins.
    await ingest.ingest("acme", [statusEvent({ to: "for_review", lamport_clock: 9 })]);
    await ingest.ingest("acme", [
      statusEvent({ to: "in_progress", lamport_clock: 3 }),
      statusEvent({ wp: "WP02", to: "done", lamport_clock: 4, feature: "002-other" }),
      {
        ...statusEvent(),
        event_type: "FeatureCreated",
        aggregate_type: "Feature",
        aggregate_id: "001-demo",
        payload: {
          feature_slug: "001-demo",
          feature_number: "001",
          target_branch: "main",
          wp_count: 3,
        },
      },
    ]);
    assert.equal(await views.project("rival", PROJECT), undefined, "another team sees nothing");
    const project = (await views.project("acme", PROJECT))!;
    assert.equal(project.event_count, 4);
    const demo = project.features.find((f) => f.feature_slug === "001-demo")!;
    assert.equal(demo.wp_count, 3);
    assert.equal(demo.event_count, 3);
    assert.deepEqual(demo.work_packages.map((w) => [w.wp_id, w.lane, w.event_count]), [
      ["WP01", "for_review", 2],
    ]);
    const other = project.features.find((f) => f.feature_slug === "002-other")!;
    assert.deepEqual(other.work_packages.map((w) => [w.wp_id, w.lane]), [["WP02", "done"]]);
  });

  await step("paging: every project once, most recently active first", async ({ store }) => {
    const ingest = new Ingestor(
      store.events,
      (() => {
        let clock = Date.parse("2026-01-01T00:00:00Z");
        return () => (clock += 1000);
      })(),
    );
    const projects = Array.from(
      { length: 23 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    for (const project of projects) await ingest.ingest("acme", [projectEvent(project)]);
    await ingest.ingest("acme", [projectEvent(projects[5])]); // now the most recent
    const views = new ViewReader(store.views);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await views.summaries("acme", 10, cursor);
      seen.push(...page.items.map((p) => p.project_uuid));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [projects[5], ...projects.filter((_, i) => i !== 5).reverse()]);
    const full = await views.projectPage("acme", 2);
    assert.equal(full.items.length, 2);
    assert.equal(full.items[0].project_uuid, projects[5]);
    assert.equal((await views.summaries("rival", 10)).items.length, 0);
    for (const bad of ["!!", "x".repeat(2000)]) {
      await assert.rejects(views.summaries("acme", 10, bad), BadPageRequest, bad);
    }
  });

  await step("two handles race on the same events: each stored once", async (s) => {
    const second = await s.another();
    try {
      const a = new Ingestor(s.store.events);
      const b = new Ingestor(second.events);
      let total = 0;
      for (let round = 0; round < 3; round++) {
        const events = Array.from(
          { length: 150 },
          (_, i) =>
            statusEvent({ wp: `WP${String((i % 15) + 1).padStart(2, "0")}`, lamport_clock: i }),
        );
        total += events.length;
        const [fromA, fromB] = await Promise.all([
          a.ingest("acme", events),
          b.ingest("acme", [...events].reverse()),
        ]);
        const statuses = new Map<string, string[]>();
        for (const r of [...fromA.results, ...fromB.results]) {
          statuses.set(r.event_id!, [...(statuses.get(r.event_id!) ?? []), r.status]);
        }
        for (const [id, pair] of statuses) {
          assert.deepEqual(pair.sort(), ["duplicate", "success"], id);
        }
      }
      const project = (await new ViewReader(second.views).project("acme", PROJECT))!;
      assert.equal(project.event_count, total);
      const wpEvents = project.features.flatMap((f) => f.work_packages)
        .reduce((n, w) => n + w.event_count, 0);
      assert.equal(wpEvents, total);
    } finally {
      await second.close();
    }
  });

  await step("ownership races between handles have one winner", async (s) => {
    const second = await s.another();
    try {
      const a = new Ingestor(s.store.events);
      const b = new Ingestor(second.events);
      const projects = Array.from(
        { length: 20 },
        (_, i) => `11111111-0000-4000-8000-${String(i).padStart(12, "0")}`,
      );
      const [acme, rival] = await Promise.all([
        a.ingest("acme", projects.map((p) => projectEvent(p))),
        b.ingest("rival", projects.map((p) => projectEvent(p))),
      ]);
      const owners = await s.store.events.owners(projects);
      for (const [i, project] of projects.entries()) {
        const winner = owners.get(project);
        assert.ok(winner === "acme" || winner === "rival", project);
        assert.equal(acme.results[i].status, winner === "acme" ? "success" : "rejected");
        assert.equal(rival.results[i].status, winner === "rival" ? "success" : "rejected");
      }
    } finally {
      await second.close();
    }
  });
}
