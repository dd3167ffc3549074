/**
 * File change and event are one step: a file that cannot be written stores no status event but
 * one ErrorLogged(runtime) and exits 1; an event that cannot be stored leaves the file change in
 * place and the command warns.
 */
import assert from "node:assert/strict";
import { FROM_SOURCE_ONLY } from "../helpers/cli.ts";
import { laneIn, ofType, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-event-sync";

// Read-only files are made with POSIX mode bits (not available on Windows).
const POSIX_ONLY = Deno.build.os === "windows";

Deno.test({
  name: "a task file that cannot be written: exit 1, no status event, one ErrorLogged",
  ignore: POSIX_ONLY,
}, () =>
  withWorkSandbox(async (sb) => {
    const path = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
    await Deno.chmod(path, 0o444);
    const result = await sb.run(["implement", "WP01", "--agent", "bot"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: changing the lane of WP01 failed: .*read-only/);
    assert.equal(await laneIn(path), "planned");
    const events = await sb.events();
    assert.equal(ofType(events, "WPStatusChanged").length, 0);
    const logged = ofType(events, "ErrorLogged");
    assert.equal(logged.length, 1);
    assert.equal(logged[0].aggregate_type, "WorkPackage");
    assert.equal(logged[0].aggregate_id, "WP01");
    assert.equal(logged[0].payload.error_type, "runtime");
    assert.equal(logged[0].payload.wp_id, "WP01");
    assert.equal(logged[0].payload.agent_id, undefined);
    assert.match(String(logged[0].payload.error_message), /changing the lane of WP01 failed/);
  }));

Deno.test(
  "an event that cannot be stored: the file change stands and the command warns",
  FROM_SOURCE_ONLY,
  () =>
    withWorkSandbox(async (sb) => {
      const path = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
      const result = await sb.run(["implement", "WP01"], {
        extraFlags: [`--deny-write=${sb.home}`],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /WP01: planned → in_progress/);
      assert.match(
        result.stderr,
        /WP01 moved to in_progress, but its WPStatusChanged event was not recorded/,
      );
      assert.equal(await laneIn(path), "in_progress");
      assert.deepEqual(await sb.events(), []);
      const again = await sb.run(["implement", "WP01"]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await sb.events(), []); // never invented later
    }),
);

Deno.test({
  name: "accept with one unwritable task file: the others are accepted and reported, exit 1",
  ignore: POSIX_ONLY,
}, () =>
  withWorkSandbox(async (sb) => {
    const lanes = async (paths: string[]) => await Promise.all(paths.map(laneIn));
    const files: Record<string, string[]> = {};
    for (const feature of ["001-human", "002-json"]) {
      files[feature] = [];
      for (const id of ["WP01", "WP02", "WP03"]) {
        files[feature].push(await writeWp(sb.repo, feature, { id, lane: "for_review" }));
      }
      await Deno.chmod(files[feature][1], 0o444);
    }
    const human = await sb.run(["accept", "--feature", "001-human"]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^Accepted WP01, WP03 \(for_review → done\)\n$/);
    assert.match(human.stderr, /error: changing the lane of WP02 failed: .*read-only/);

    const json = await sb.run(["accept", "--feature", "002-json", "--json"]);
    assert.equal(json.code, 1);
    assert.match(json.stderr, /error: changing the lane of WP02 failed: .*read-only/);
    const report = JSON.parse(json.stdout); // one document, even though it failed
    assert.deepEqual(report.accepted.map((a: { wp_id: string }) => a.wp_id), ["WP01", "WP03"]);
    assert.deepEqual(report.failed.map((f: { wp_id: string }) => f.wp_id), ["WP02"]);
    assert.equal(report.ok, false);
    assert.equal(report.complete, false);

    const events = await sb.events();
    for (const feature of ["001-human", "002-json"]) {
      assert.deepEqual(await lanes(files[feature]), ["done", "for_review", "done"]);
      const changes = ofType(events, "WPStatusChanged").filter((e) =>
        e.payload.feature_slug === feature
      );
      assert.deepEqual(changes.map((e) => e.aggregate_id), ["WP01", "WP03"]);
    }
    assert.equal(ofType(events, "ErrorLogged").length, 2);
    assert.equal(ofType(events, "FeatureCompleted").length, 0);

    await Deno.chmod(files["001-human"][1], 0o644);
    const done = await sb.run(["accept", "--feature", "001-human"]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /Accepted WP02/);
    assert.equal(ofType(await sb.events(), "FeatureCompleted").length, 1);
  }));

Deno.test(
  "a note whose event cannot be stored: exit 1, one warning saying why, one error",
  FROM_SOURCE_ONLY,
  () =>
    withWorkSandbox(async (sb) => {
      await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
      const result = await sb.run(["note", "WP01", "looks good"], {
        extraFlags: [`--deny-write=${sb.home}`],
      });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0], /^warning: HistoryAdded event not stored: /);
      assert.equal(lines[1], "error: the note on WP01 was not recorded");
      assert.deepEqual(await sb.events(), []);
    }),
);

Deno.test(
  "a feature folder that cannot be created: exit 1, no FeatureCreated, one ErrorLogged",
  FROM_SOURCE_ONLY,
  () =>
    withWorkSandbox(async (sb) => {
      const specs = `${sb.repo}/kitty-specs`;
      await Deno.mkdir(specs);
      const result = await sb.run(["feature", "create", "Blocked"], {
        extraFlags: [`--deny-write=${specs}`],
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error: creating feature 001-blocked failed: .*denied/);
      assert.deepEqual([...Deno.readDirSync(specs)], []);
      const events = await sb.events();
      assert.deepEqual(events.map((e) => [e.event_type, e.aggregate_type, e.aggregate_id]), [
        ["ErrorLogged", "Feature", "error"],
      ]);
    }),
);

Deno.test(
  "unreadable task files and folders are reported, never an internal error",
  FROM_SOURCE_ONLY,
  () =>
    withWorkSandbox(async (sb) => {
      const ok = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
      const secret = await writeWp(sb.repo, F, { id: "WP02", lane: "planned" });
      const denied = { extraFlags: [`--deny-read=${secret}`] };
      const list = await sb.run(["tasks", "list", "--json"], denied);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout).map((e: { wp_id: string }) => e.wp_id), ["WP01"]);
      assert.match(list.stderr, /^warning: skipping .*WP02-\S+\.md: /);
      assert.equal((await sb.run(["implement", "WP01"], denied)).code, 0);
      assert.equal(await laneIn(ok), "in_progress");

      // A tasks "folder" that is a file.
      const other = `${sb.repo}/kitty-specs/002-other`;
      await Deno.mkdir(other);
      await Deno.writeTextFile(`${other}/tasks`, "");
      for (const args of [["tasks", "list"], ["tasks", "finalize"], ["accept"]]) {
        const r = await sb.run([...args, "--feature", "002-other"]);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^error: cannot read .*002-other\/tasks: /);
        assert.doesNotMatch(r.stderr, /internal error/);
      }
    }),
);
