/** Lanes and the transition table (pure). */
import assert from "node:assert/strict";
import { LANES, parseLane } from "../../src/work/lanes.ts";
import {
  IMPLEMENT_SHORTCUT,
  isLegalTransition,
  transitionProblem,
} from "../../src/work/transitions.ts";

const LEGAL = [
  "planned>claimed",
  "claimed>in_progress",
  "in_progress>for_review",
  "for_review>done",
  "for_review>in_progress",
  "in_progress>planned",
  "planned>blocked",
  "claimed>blocked",
  "in_progress>blocked",
  "for_review>blocked",
  "blocked>in_progress",
  "planned>canceled",
  "claimed>canceled",
  "in_progress>canceled",
  "for_review>canceled",
  "blocked>canceled",
];

Deno.test("exactly the 16 pairs of the status model are legal", () => {
  const legal = [];
  for (const from of LANES) {
    for (const to of LANES) if (isLegalTransition(from, to)) legal.push(`${from}>${to}`);
  }
  assert.deepEqual(legal.sort(), [...LEGAL].sort());
});

Deno.test("the implement shortcut planned → in_progress is not one of the 16 pairs", () => {
  assert.deepEqual(IMPLEMENT_SHORTCUT, { from: "planned", to: "in_progress" });
  assert.equal(isLegalTransition("planned", "in_progress"), false);
  assert.match(transitionProblem("planned", "in_progress")!, /not an allowed transition/);
});

Deno.test("illegal pairs name the legal targets; terminal lanes are always illegal to leave", () => {
  assert.match(transitionProblem("planned", "done")!, /not an allowed transition/);
  assert.match(transitionProblem("planned", "done")!, /from planned: claimed, blocked, canceled/);
  assert.match(transitionProblem("done", "in_progress")!, /terminal lane/);
  assert.match(transitionProblem("canceled", "planned")!, /terminal lane/);
  assert.equal(transitionProblem("for_review", "done"), null);
});

Deno.test("lane input: trimmed, case-insensitive, doing is an alias of in_progress", () => {
  assert.equal(parseLane(" For_Review "), "for_review");
  assert.equal(parseLane("doing"), "in_progress");
  assert.equal(parseLane("DOING"), "in_progress");
  assert.equal(parseLane("review"), null);
  assert.equal(parseLane(""), null);
  assert.ok(!(LANES as readonly string[]).includes("doing"));
});
