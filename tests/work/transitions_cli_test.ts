/** Illegal transitions without and with --force, through the CLI (file and events checked). */
import assert from "node:assert/strict";
import { laneIn, ofType, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-event-sync";

Deno.test("an illegal move is refused without --force and changes nothing", () =>
  withWorkSandbox(async (sb) => {
    const planned = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
    const done = await writeWp(sb.repo, F, { id: "WP02", lane: "done" });
    const before = await Deno.readTextFile(planned);

    const skip = await sb.run(["move", "WP01", "--to", "done"]);
    assert.equal(skip.code, 1);
    assert.match(skip.stderr, /planned → done is not an allowed transition/);
    assert.match(skip.stderr, /--force --reason/);
    assert.doesNotMatch(skip.stderr, /at .*\.ts:\d+/); // one line, no stack trace

    const start = await sb.run(["move", "WP01", "--to", "doing"]);
    assert.equal(start.code, 1);
    assert.match(start.stderr, /planned → in_progress is not an allowed transition/);
    assert.match(start.stderr, /\nhint: to start it, run `kittify implement WP01`/);

    const reopen = await sb.run(["move", "WP02", "--to", "in_progress"]);
    assert.equal(reopen.code, 1);
    assert.match(reopen.stderr, /done is a terminal lane/);

    const noReason = await sb.run(["move", "WP01", "--to", "done", "--force"]);
    assert.equal(noReason.code, 2, "a missing option is a usage error");
    assert.match(noReason.stderr, /--force needs --reason/);

    const unknown = await sb.run(["move", "WP01", "--to", "review"]);
    assert.equal(unknown.code, 2, "a bad option value is a usage error");
    assert.match(unknown.stderr, /option '--to <lane>' argument 'review' is invalid/);
    assert.match(unknown.stderr, /planned, claimed, in_progress/);

    const notAnId = await sb.run(["implement", "foo"]);
    assert.equal(notAnId.code, 2, "an argument that cannot be a work package id is a usage error");
    assert.match(notAnId.stderr, /^error: 'foo' is not a work package id\nhint: use WPnn/);

    const implementDone = await sb.run(["implement", "WP02"]);
    assert.equal(implementDone.code, 1);
    assert.match(implementDone.stderr, /WP02 is done; implement starts planned work packages only/);

    assert.equal(await Deno.readTextFile(planned), before);
    assert.equal(await laneIn(done), "done");
    assert.deepEqual(await sb.events(), []);
  }));

Deno.test("--force --reason makes any move legal, with exactly one event", () =>
  withWorkSandbox(async (sb) => {
    const planned = await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
    const done = await writeWp(sb.repo, F, { id: "WP02", lane: "done" });
    const skip = await sb.run([
      "move",
      "WP01",
      "--to",
      "done",
      "--force",
      "--reason",
      "done upstream",
      "--json",
    ]);
    assert.equal(skip.code, 0, skip.stderr);
    const report = JSON.parse(skip.stdout);
    assert.equal(report.forced, true);
    assert.equal(report.reason, "done upstream");
    const reopen = await sb.run(["move", "WP02", "--to", "doing", "--force", "--reason", "bug"]);
    assert.equal(reopen.code, 0, reopen.stderr);
    assert.match(reopen.stdout, /forced: bug/);
    const legal = await sb.run(["move", "WP02", "--to", "for_review", "--force", "--reason", "x"]);
    assert.equal(legal.code, 0, legal.stderr);
    assert.match(legal.stdout, /WP02: in_progress → for_review/);
    assert.doesNotMatch(legal.stdout, /forced/); // a legal move is not "forced"

    assert.equal(await laneIn(planned), "done");
    assert.equal(await laneIn(done), "for_review");
    const changes = ofType(await sb.events(), "WPStatusChanged");
    assert.deepEqual(changes.map((e) => [e.aggregate_id, e.payload.from_lane, e.payload.to_lane]), [
      ["WP01", "planned", "done"],
      ["WP02", "done", "in_progress"],
      ["WP02", "in_progress", "for_review"],
    ]);
  }));

Deno.test("moving to the lane a WP is in changes nothing; a warning names unfinished deps", () =>
  withWorkSandbox(async (sb) => {
    await writeWp(sb.repo, F, { id: "WP01", lane: "planned" });
    await writeWp(sb.repo, F, { id: "WP02", lane: "claimed", dependencies: ["WP01"] });
    const same = await sb.run(["move", "WP01", "--to", "planned"]);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /WP01 is already planned; nothing changed/);
    const early = await sb.run(["move", "WP02", "--to", "in_progress"]);
    assert.equal(early.code, 0, early.stderr);
    assert.match(
      early.stderr,
      /warning: WP02 depends on work that is not done yet: WP01 \(planned\)/,
    );
    assert.equal(ofType(await sb.events(), "WPStatusChanged").length, 1);
  }));
