/** The materialised view: order by (lamport_clock, node_id, event_id), any arrival order. */
import assert from "node:assert/strict";
import type { Envelope } from "../../src/events/types.ts";
import { compareOrder } from "../../src/server/view/order.ts";
import { applyToWp, type WpRow } from "../../src/server/view/rows.ts";
import {
  login,
  postBatch,
  PROJECT,
  results,
  send,
  startTestServer,
  statusEvent,
} from "./harness.ts";

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * A WP's history on two machines, with equal Lamport values decided by node_id. At the tie the
 * node_id order and the event_id order disagree, so an order that looked at event_ids first would
 * pick the other event.
 */
function history(wp: string, feature = "001-demo"): Envelope[] {
  const steps: Array<[number, string, string]> = [
    [1, "aaaaaaaaaaaa", "claimed"],
    [2, "aaaaaaaaaaaa", "in_progress"],
    [3, "bbbbbbbbbbbb", "blocked"],
    [3, "cccccccccccc", "in_progress"], // same clock, later node: wins over "blocked"
    [4, "aaaaaaaaaaaa", "for_review"],
    [5, "bbbbbbbbbbbb", "done"],
  ];
  const events = steps.map(([clock, node, to]) =>
    statusEvent({ wp, feature, lamport_clock: clock, node_id: node, to })
  );
  const [blocked, inProgress] = [events[2], events[3]];
  [blocked.event_id, inProgress.event_id] = [inProgress.event_id, blocked.event_id];
  assert.ok(inProgress.node_id > blocked.node_id && inProgress.event_id < blocked.event_id);
  return events;
}

Deno.test("view: order keys compare by lamport_clock, then node_id, then event_id", () => {
  const k = (lamport_clock: number, node_id: string, event_id: string) => ({
    lamport_clock,
    node_id,
    event_id,
  });
  assert.ok(compareOrder(k(1, "b", "Z"), k(2, "a", "A")) < 0);
  assert.ok(compareOrder(k(2, "b", "A"), k(2, "a", "Z")) > 0);
  assert.ok(compareOrder(k(2, "a", "B"), k(2, "a", "A")) > 0);
  assert.equal(compareOrder(k(2, "a", "A"), k(2, "a", "A")), 0);
});

Deno.test("view: folding a WP's events in any order gives the same row", () => {
  const events = history("WP01");
  const fold = (list: Envelope[]) =>
    list.reduce<WpRow | undefined>(
      (row, e) => applyToWp(row, e, "001-demo", "WP01", "2026-01-01T00:00:00.000Z"),
      undefined,
    );
  const expected = fold(events)!;
  assert.equal(expected.lane, "done");
  for (let seed = 1; seed <= 50; seed++) {
    assert.deepEqual(fold(shuffled(events, seed)), expected, `seed ${seed}`);
  }
  // Without the last event the tie at clock 3 matters: node cccc beats bbbb.
  const upToFour = events.filter((e) => e.lamport_clock <= 3);
  for (let seed = 1; seed <= 20; seed++) {
    assert.equal(fold(shuffled(upToFour, seed))!.lane, "in_progress", `seed ${seed}`);
  }
});

Deno.test("view: shuffled arrival over many batches ends in the same lanes as ordered arrival", async () => {
  const server = await startTestServer();
  try {
    const access = (await login(server.url, "alice")).access;
    const wps = ["WP01", "WP02", "WP03", "WP04"];
    const created = wps.map((wp, i) => ({
      ...statusEvent({ wp }),
      event_type: "WPCreated" as const,
      lamport_clock: 0,
      payload: { wp_id: wp, title: `Work ${i + 1}`, feature_slug: "001-demo", dependencies: [] },
    }));
    // WP03 loses its last event ("done"); WP04 ends at the tie of clock 3.
    const all = [
      ...created,
      ...["WP01", "WP02", "WP03"].flatMap((wp) => history(wp)).slice(0, -1),
      ...history("WP04").filter((e) => e.lamport_clock <= 3),
    ];
    // Arrival: shuffled, one to three events per batch.
    const arrival = shuffled(all, 7);
    for (let i = 0; i < arrival.length;) {
      const size = 1 + (i % 3);
      const batch = arrival.slice(i, i + size);
      const response = await postBatch(server.url, access, batch);
      assert.ok(results(response).every((r) => r.status === "success"));
      i += size;
    }
    const detail = await send(`${server.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    assert.equal(detail.status, 200);
    const project = detail.body as {
      event_count: number;
      lanes: Record<string, number>;
      features: Array<{
        feature_slug: string;
        work_packages: Array<{ wp_id: string; lane: string; title: string; event_count: number }>;
      }>;
    };
    assert.equal(project.event_count, all.length);
    const lanes = project.features[0].work_packages.map((w) => [w.wp_id, w.lane, w.title]);
    // WP03 lost its last event ("done"), so it stays in for_review; WP04's tie goes to the
    // later node_id (in_progress), whatever the event_ids.
    assert.deepEqual(lanes, [
      ["WP01", "done", "Work 1"],
      ["WP02", "done", "Work 2"],
      ["WP03", "for_review", "Work 3"],
      ["WP04", "in_progress", "Work 4"],
    ]);
    assert.deepEqual(project.lanes, {
      planned: 0,
      claimed: 0,
      in_progress: 1,
      for_review: 1,
      done: 2,
      blocked: 0,
      canceled: 0,
    });
    assert.equal(project.features[0].work_packages[0].event_count, 7);
  } finally {
    await server.close();
  }
});

Deno.test("view: the project list pages by limit and cursor, newest first, in brief", async () => {
  const server = await startTestServer();
  try {
    const access = (await login(server.url, "alice")).access;
    const projects = Array.from(
      { length: 250 },
      (_, i) => `0b9c7e7a-3f0a-4d55-8e7b-${String(i).padStart(12, "0")}`,
    );
    // Five batches: later batches arrive later, so their projects are listed first.
    for (let b = 0; b < 5; b++) {
      const events = projects.slice(b * 50, b * 50 + 50).map((project_uuid) =>
        statusEvent({ project_uuid })
      );
      assert.equal((await postBatch(server.url, access, events)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    // A later event moves a project to the front (and out of its old place).
    assert.equal(
      (await postBatch(server.url, access, [statusEvent({ project_uuid: projects[0] })])).status,
      200,
    );
    const auth = { headers: { authorization: `Bearer ${access}` } };
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await send(`${server.url}/api/v1/projects/?limit=100${query}`, auth);
      assert.equal(page.status, 200);
      const body = page.body as {
        projects: Array<Record<string, unknown>>;
        next_cursor: string | null;
      };
      sizes.push(body.projects.length);
      for (const p of body.projects) {
        assert.deepEqual(Object.keys(p).sort(), [
          "event_count",
          "last_activity",
          "last_change",
          "project_slug",
          "project_uuid",
          "repo_slug",
        ]);
        seen.push(p.project_uuid as string);
      }
      cursor = body.next_cursor;
    } while (cursor);
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(new Set(seen).size, 250, "every project once");
    assert.equal(seen[0], projects[0], "the most recently active first");
    assert.deepEqual(seen.slice(1, 51).sort(), projects.slice(200).sort());
    // The default page is 100; bad limits and cursors are a 400, never a 500.
    const first = await send(`${server.url}/api/v1/projects/`, auth);
    assert.equal((first.body as { projects: unknown[] }).projects.length, 100);
    const long = `cursor=${"A".repeat(2_800)}`;
    for (
      const bad of ["limit=0", "limit=1001", "limit=x", "cursor=%2F%2F%2F%2F", "cursor=a%20b", long]
    ) {
      const answer = await send(`${server.url}/api/v1/projects/?${bad}`, auth);
      assert.equal(answer.status, 400, bad.slice(0, 40));
    }
    // A cursor of a usable shape that this server never gave out walks somewhere: never a 500.
    const odd = await send(`${server.url}/api/v1/projects/?cursor=${"A".repeat(1_500)}`, auth);
    assert.ok(odd.status === 200 || odd.status === 400, String(odd.status));
  } finally {
    await server.close();
  }
});

Deno.test("view: projects are per team; another team's project and a malformed id are a 404", async () => {
  const server = await startTestServer();
  try {
    const alice = (await login(server.url, "alice")).access;
    const eve = (await login(server.url, "eve")).access;
    await postBatch(server.url, alice, [statusEvent()]);
    const mine = await send(`${server.url}/api/v1/projects/`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    const theirs = await send(`${server.url}/api/v1/projects/`, {
      headers: { authorization: `Bearer ${eve}` },
    });
    assert.equal((mine.body as { projects: unknown[] }).projects.length, 1);
    assert.deepEqual((theirs.body as { projects: unknown[] }).projects, []);
    const peek = await send(`${server.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${eve}` },
    });
    assert.equal(peek.status, 404);
    const anonymous = await send(`${server.url}/api/v1/projects/`);
    assert.equal(anonymous.status, 401);
    // A path segment that cannot be a project_uuid is unknown: never a 500 (a 5,000-character
    // id does not fit a store key).
    for (const bogus of ["x".repeat(5_000), PROJECT.toUpperCase(), "%00", "..%2F..%2Fetc"]) {
      const odd = await send(`${server.url}/api/v1/projects/${bogus}/`, {
        headers: { authorization: `Bearer ${alice}` },
      });
      assert.equal(odd.status, 404, bogus.slice(0, 20));
    }
  } finally {
    await server.close();
  }
});
