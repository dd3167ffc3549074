/**
 * 120 work packages in one feature. Events carry `WPnn` (two digits), so WP100–WP120 are listed
 * but cannot be announced or moved; the first 99 behave normally.
 */
import assert from "node:assert/strict";
import { wpIdOf } from "../../src/work/ids.ts";
import { ofType, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-big-feature";
const TOTAL = 120;

Deno.test("120 work packages in one feature: list, finalize, implement, the WP99 limit", () =>
  withWorkSandbox(async (sb) => {
    const lanes = ["planned", "in_progress", "for_review", "done"];
    await Promise.all(
      Array.from({ length: TOTAL }, (_, i) =>
        writeWp(sb.repo, F, {
          id: wpIdOf(i + 1),
          lane: lanes[i % lanes.length],
          dependencies: i > 0 && i < 99 ? [wpIdOf(i)] : [],
        })),
    );
    const list = await sb.run(["tasks", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const entries = JSON.parse(list.stdout) as Array<{ wp_id: string; lane: string }>;
    assert.equal(entries.length, TOTAL);
    assert.deepEqual(
      entries.map((e) => e.wp_id),
      Array.from({ length: TOTAL }, (_, i) => wpIdOf(i + 1)),
    );
    const reviewing = await sb.run(["tasks", "list", "--lane", "for_review", "--json"]);
    assert.equal(JSON.parse(reviewing.stdout).length, TOTAL / lanes.length);

    const finalize = await sb.run(["tasks", "finalize", "--json"]);
    assert.equal(finalize.code, 0, finalize.stderr);
    const report = JSON.parse(finalize.stdout);
    assert.equal(report.announced.length, 99);
    assert.deepEqual(report.skipped.map((s: { wp_id: string }) => s.wp_id), [
      ...Array.from({ length: TOTAL - 99 }, (_, i) => wpIdOf(100 + i)),
    ]);
    assert.match(finalize.stderr, /skipping WP100: event ids go up to WP99/);

    const add = await sb.run(["tasks", "add", "One too many"]);
    assert.equal(add.code, 1);
    assert.match(add.stderr, /already has WP99/);
    const tooFar = await sb.run(["implement", "WP117"]);
    assert.equal(tooFar.code, 1);
    assert.match(tooFar.stderr, /WP117 cannot be tracked/);
    const last = await sb.run(["implement", "WP97"]);
    assert.equal(last.code, 0, last.stderr);

    const events = await sb.events();
    const created = ofType(events, "WPCreated");
    assert.equal(created.length, 99);
    assert.equal(new Set(created.map((e) => e.causation_id)).size, 1);
    assert.equal(ofType(events, "WPStatusChanged").length, 1);
  }));
