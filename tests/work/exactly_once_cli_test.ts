/**
 * Every work command stores exactly the events it should, counted in the real KV store after
 * running the CLI as a subprocess (reference §2.6: the duplicate emissions of the original).
 */
import assert from "node:assert/strict";
import { laneIn, ofType, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-event-sync";

Deno.test("implement emits exactly one WPStatusChanged; implementing again emits nothing", () =>
  withWorkSandbox(async (sb) => {
    const path = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
    const first = await sb.run(["implement", "WP01", "--agent", "claude"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /WP01: planned → in_progress \(actor: claude\)/);
    assert.equal(await laneIn(path), "in_progress");

    const again = await sb.run(["implement", "wp1"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /WP01 is already in_progress; nothing changed/);

    const events = await sb.events();
    assert.equal(events.length, 1);
    assert.equal(events[0].event_type, "WPStatusChanged");
    assert.equal(events[0].aggregate_id, "WP01");
    assert.deepEqual(events[0].payload, {
      wp_id: "WP01",
      from_lane: "planned",
      to_lane: "in_progress",
      actor: "claude",
      feature_slug: F,
    });
  }));

Deno.test("move emits one WPStatusChanged, plus one HistoryAdded with --note", () =>
  withWorkSandbox(async (sb) => {
    const path = await writeWp(sb.repo, F, { id: "WP01", lane: "in_progress" });
    const plain = await sb.run(["move", "WP01", "--to", "for_review"]);
    assert.equal(plain.code, 0, plain.stderr);
    const args = "move WP01 --to doing --actor reviewer --json".split(" ");
    const noted = await sb.run([...args, "--note", "needs tests"]);
    assert.equal(noted.code, 0, noted.stderr);
    const report = JSON.parse(noted.stdout);
    assert.equal(report.to_lane, "in_progress");
    assert.equal(report.note_recorded, true);
    assert.equal(await laneIn(path), "in_progress");

    const events = await sb.events();
    assert.deepEqual(
      events.map((e) => [e.event_type, e.payload.from_lane ?? e.payload.entry_content]),
      [
        ["WPStatusChanged", "in_progress"],
        ["WPStatusChanged", "for_review"],
        ["HistoryAdded", "needs tests"],
      ],
    );
    assert.equal(events[1].payload.to_lane, "in_progress"); // `doing` never reaches an event
    assert.equal(events[2].payload.author, "reviewer");
  }));

Deno.test("accept: one event per reviewed WP (human and --json), one FeatureCompleted each", () =>
  withWorkSandbox(async (sb) => {
    for (const feature of ["001-alpha", "002-beta"]) {
      for (const id of ["WP01", "WP02", "WP03"]) {
        await writeWp(sb.repo, feature, { id, lane: "for_review" });
      }
    }
    const human = await sb.run(["accept", "--feature", "001-alpha"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Accepted WP01, WP02, WP03/);
    const json = await sb.run(["accept", "--feature", "002-beta", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.accepted.map((a: { wp_id: string }) => a.wp_id), [
      "WP01",
      "WP02",
      "WP03",
    ]);
    assert.equal(report.complete, true);

    const again = await sb.run(["accept", "--feature", "002-beta", "--json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).accepted, []);

    const events = await sb.events();
    for (const feature of ["001-alpha", "002-beta"]) {
      const changes = ofType(events, "WPStatusChanged").filter((e) =>
        e.payload.feature_slug === feature
      );
      assert.deepEqual(changes.map((e) => e.aggregate_id), ["WP01", "WP02", "WP03"]);
      for (const e of changes) {
        assert.equal(e.payload.from_lane, "for_review");
        assert.equal(e.payload.to_lane, "done");
      }
      const completed = ofType(events, "FeatureCompleted").filter((e) =>
        e.aggregate_id === feature
      );
      assert.equal(completed.length, 1);
      assert.equal(completed[0].payload.total_wps, 3);
    }
    assert.equal(events.length, 8);
  }));

Deno.test("accept with outstanding work accepts nothing unless --allow-incomplete", () =>
  withWorkSandbox(async (sb) => {
    const reviewed = await writeWp(sb.repo, F, { id: "WP01", lane: "for_review" });
    await writeWp(sb.repo, F, { id: "WP02", lane: "planned" });
    const refused = await sb.run(["accept", "--json"]);
    assert.equal(refused.code, 1);
    const report = JSON.parse(refused.stdout);
    assert.deepEqual(report.outstanding, [
      { wp_id: "WP02", lane: "planned", title: "Work WP02", problem: null },
    ]);
    assert.equal(report.ok, false);
    assert.match(refused.stderr, /outstanding; nothing was accepted/);
    assert.equal(await laneIn(reviewed), "for_review");

    const allowed = await sb.run(["accept", "--allow-incomplete"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /outstanding {2}WP02 {2}planned/);
    const events = await sb.events();
    assert.deepEqual(events.map((e) => e.event_type), ["WPStatusChanged"]);
  }));

Deno.test("feature create, tasks add, finalize twice: WPCreated once per WP, one causation per run", () =>
  withWorkSandbox(async (sb) => {
    const created = await sb.run(["feature", "create", "Event Sync", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).feature, F);
    const taken = await sb.run(["feature", "create", "Other", "--number", "1"]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /feature number 001 is taken by 001-event-sync/);
    // Bad values of options are usage errors (exit 2), caught before anything is done.
    for (
      const [args, message] of [
        [["feature", "create", "Other", "--number", "abc"], /'--number <n>' argument 'abc'/],
        [["feature", "create", "Other", "--number", "1000"], /'--number <n>' argument '1000'/],
        [["tasks", "list", "--lane", "bogus"], /'--lane <lane>' argument 'bogus' is invalid/],
      ] as const
    ) {
      const bad = await sb.run([...args]);
      assert.equal(bad.code, 2, args.join(" "));
      assert.match(bad.stderr, message);
    }
    const badDependency = await sb.run(["tasks", "add", "Parser", "--depends", "WP09"]);
    assert.equal(badDependency.code, 1);
    assert.match(badDependency.stderr, /001-event-sync has no WP09 to depend on/);
    for (const title of ["Parser", "Docs"]) {
      const added = await sb.run(["tasks", "add", title, "--depends", title === "Docs" ? "1" : ""]);
      assert.equal(added.code, 0, added.stderr);
    }
    const first = await sb.run(["tasks", "finalize", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).announced, ["WP01", "WP02"]);
    const second = await sb.run(["tasks", "finalize", "--json"]);
    assert.equal(second.code, 0, second.stderr);
    const rerun = JSON.parse(second.stdout);
    assert.deepEqual(rerun.announced, []);
    assert.deepEqual(rerun.already_announced, ["WP01", "WP02"]);
    assert.equal(rerun.causation_id, null);
    assert.equal((await sb.run(["tasks", "add", "Ship"])).code, 0);
    assert.equal((await sb.run(["tasks", "finalize"])).code, 0);

    const events = await sb.events();
    const [feature, ...rest] = events;
    assert.equal(feature.event_type, "FeatureCreated");
    assert.deepEqual(feature.payload, {
      feature_slug: F,
      feature_number: "001",
      target_branch: "main",
      wp_count: 0,
    });
    assert.deepEqual(rest.map((e) => [e.event_type, e.aggregate_id]), [
      ["WPCreated", "WP01"],
      ["WPCreated", "WP02"],
      ["WPCreated", "WP03"],
    ]);
    assert.deepEqual(rest[1].payload, {
      wp_id: "WP02",
      title: "Docs",
      dependencies: ["WP01"],
      feature_slug: F,
    });
    assert.equal(rest[0].causation_id, rest[1].causation_id);
    assert.match(rest[0].causation_id!, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.notEqual(rest[2].causation_id, rest[0].causation_id);
  }));

Deno.test("note emits one HistoryAdded of the given type", () =>
  withWorkSandbox(async (sb) => {
    await writeWp(sb.repo, F, { id: "WP04", lane: "for_review" });
    const noted = await sb.run(["note", "WP04", "LGTM, one nit", "--type", "review"]);
    assert.equal(noted.code, 0, noted.stderr);
    const bad = await sb.run(["note", "WP04", "x", "--type", "rant"]);
    assert.equal(bad.code, 2, "a bad option value is a usage error");
    assert.match(bad.stderr, /option '--type <type>' argument 'rant' is invalid/);
    assert.match(bad.stderr, /note, review, comment/);
    const events = await sb.events();
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, {
      wp_id: "WP04",
      entry_type: "review",
      entry_content: "LGTM, one nit",
      author: "user",
    });
  }));

Deno.test("concurrent tasks add, implement and finalize runs: unique ids, each change once", () =>
  withWorkSandbox(async (sb) => {
    await Deno.mkdir(`${sb.repo}/kitty-specs/${F}`, { recursive: true });
    const adds = await Promise.all(["A", "B", "C"].map((t) => sb.run(["tasks", "add", t])));
    for (const r of adds) assert.equal(r.code, 0, r.stderr);
    const list = await sb.run(["tasks", "list", "--json"]);
    const ids = JSON.parse(list.stdout).map((e: { wp_id: string }) => e.wp_id);
    assert.deepEqual(ids, ["WP01", "WP02", "WP03"]);

    const runs = await Promise.all([
      sb.run(["implement", "WP01"]),
      sb.run(["implement", "WP01"]),
      sb.run(["implement", "WP01"]),
      sb.run(["tasks", "finalize"]),
      sb.run(["tasks", "finalize"]),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const events = await sb.events();
    assert.equal(ofType(events, "WPStatusChanged").length, 1);
    assert.deepEqual(ofType(events, "WPCreated").map((e) => e.aggregate_id).sort(), [
      "WP01",
      "WP02",
      "WP03",
    ]);
  }));

Deno.test("concurrent accepts: each work package accepted once, one FeatureCompleted per finish", () =>
  withWorkSandbox(async (sb) => {
    const ids = Array.from({ length: 8 }, (_, i) => `WP0${i + 1}`);
    for (let round = 1; round <= 2; round++) {
      // Round 2 reopens every work package (written behind kittify's back) and finishes again.
      await Promise.all(ids.map((id) => writeWp(sb.repo, F, { id, lane: "for_review" })));
      const runs = await Promise.all(ids.map(() => sb.run(["accept", "--json"])));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const accepted = runs.flatMap((r) =>
        JSON.parse(r.stdout).accepted.map((a: { wp_id: string }) => a.wp_id)
      );
      assert.deepEqual(accepted.sort(), ids);
      const events = await sb.events();
      assert.equal(ofType(events, "WPStatusChanged").length, 8 * round);
      assert.equal(ofType(events, "FeatureCompleted").length, round, `round ${round}`);
    }
  }));
