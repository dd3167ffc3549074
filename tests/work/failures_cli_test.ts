/**
 * File change and event are one step: a file that cannot be written stores no status event but
 * one ErrorLogged(runtime) and exits 1; an event that cannot be stored leaves the file change in
 * place and the command warns.
 */
import assert from "node:assert/strict";
import { laneIn, ofType, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-event-sync";

Deno.test("a task file that cannot be written: exit 1, no status event, one ErrorLogged", () =>
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

Deno.test("an event that cannot be stored: the file change stands and the command warns", () =>
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
  }));

Deno.test("a note whose event cannot be stored: exit 1, one warning saying why, one error", () =>
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
  }));

Deno.test("a feature folder that cannot be created: exit 1, no FeatureCreated, one ErrorLogged", () =>
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
  }));
