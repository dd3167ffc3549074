/** What accept does with a feature, and which dependencies earn a warning (pure). */
import assert from "node:assert/strict";
import { planAcceptance } from "../../src/work/accept.ts";
import { dependencyWarning } from "../../src/work/dependencies.ts";
import type { Lane } from "../../src/work/lanes.ts";
import type { WorkPackage } from "../../src/work/work_package.ts";

function wp(id: string, lane: Lane, dependencies: string[] = []): WorkPackage {
  return { id, title: `T ${id}`, lane, dependencies, path: `/t/${id}.md` };
}

Deno.test("reviewed work is accepted; unfinished and unreadable work is outstanding", () => {
  const plan = planAcceptance({
    feature: "001-x",
    workPackages: [
      wp("WP01", "for_review"),
      wp("WP02", "done"),
      wp("WP03", "canceled"),
      wp("WP04", "blocked"),
      wp("WP100", "for_review"),
    ],
    problems: [{ path: "/t/WP05.md", id: "WP05", reason: "unknown lane 'x'" }],
  });
  assert.deepEqual(plan.reviewed.map((w) => w.id), ["WP01"]);
  assert.deepEqual(plan.outstanding, [
    { wp_id: "WP04", lane: "blocked", title: "T WP04", problem: null },
    { wp_id: "WP100", lane: "for_review", title: "T WP100", problem: null },
    { wp_id: "WP05", lane: null, title: null, problem: "unknown lane 'x'" },
  ]);
});

Deno.test("dependencies that are not done, or missing, are named in one warning", () => {
  const all = [wp("WP01", "done"), wp("WP02", "for_review")];
  assert.equal(dependencyWarning(wp("WP03", "planned", ["WP01"]), all), null);
  assert.equal(
    dependencyWarning(wp("WP03", "planned", ["WP01", "WP02", "WP09"]), all),
    "WP03 depends on work that is not done yet: WP02 (for_review), WP09 (missing)",
  );
});
