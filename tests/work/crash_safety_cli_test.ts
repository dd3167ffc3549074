/**
 * Lane changes are crash-safe at every instant: `implement`, `move` and `accept` are killed with
 * SIGKILL at random moments, over and over; after the next command every work package's file and
 * its WPStatusChanged events agree — each transition that happened has exactly one event, and none
 * that did not.
 */
import assert from "node:assert/strict";
import { cliCommand } from "../helpers/cli.ts";
import { killIfRunning } from "../helpers/fs.ts";
import { laneIn, ofType, type StoredEvent, withWorkSandbox, writeWp } from "./work_sandbox.ts";

const F = "001-crash";
const WPS = ["WP01", "WP02", "WP03"];

/** The command that moves a work package on from `lane` (a cycle through every lane change). */
function nextCommand(wp: string, lane: string, round: number): string[] {
  switch (lane) {
    case "planned":
      return ["implement", wp];
    case "in_progress":
      return ["move", wp, "--to", "for_review"];
    case "for_review":
      return round % 2 === 0
        ? ["accept", "--allow-incomplete"]
        : ["move", wp, "--to", "in_progress"];
    default:
      return ["move", wp, "--to", "planned", "--force", "--reason", "once more"];
  }
}

/** Each WP's status events, oldest first, chain from planned to the lane its file shows. */
function assertAgree(wp: string, lane: string | undefined, events: StoredEvent[]): void {
  const mine = ofType(events, "WPStatusChanged")
    .filter((e) => e.aggregate_id === wp)
    .sort((a, b) => a.lamport_clock - b.lamport_clock);
  let at = "planned";
  for (const e of mine) {
    assert.equal(e.payload.from_lane, at, `${wp}: an event from ${at} (a lost or doubled one)`);
    at = String(e.payload.to_lane);
  }
  assert.equal(lane, at, `${wp}: the file shows ${lane}, the events end at ${at}`);
}

Deno.test("lane changes killed with SIGKILL at random moments: files and events always agree", () =>
  withWorkSandbox(async (sb) => {
    const paths = new Map<string, string>();
    for (const wp of WPS) paths.set(wp, await writeWp(sb.repo, F, { id: wp, lane: "planned" }));
    let killed = 0;
    for (let round = 0; round < 36; round++) {
      const wp = WPS[round % WPS.length];
      const lane = (await laneIn(paths.get(wp)!)) ?? "planned";
      const child = cliCommand([...nextCommand(wp, lane, round), "--feature", F], {
        cwd: sb.repo,
        home: sb.home,
      }).spawn();
      let exited = false;
      child.status.then(() => (exited = true));
      // A run takes ~100–200 ms: kill it at a random moment within that, if it is still there.
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      if (!exited && killIfRunning(child)) killed++;
      await child.output();
    }
    // The next command that changes lanes in the feature settles what the killed ones left.
    const last = await sb.run(["move", "WP01", "--to", "blocked", "--force", "--reason", "end"]);
    assert.equal(last.code, 0, last.stderr);
    const events = await sb.events();
    for (const wp of WPS) assertAgree(wp, await laneIn(paths.get(wp)!), events);
    assert.ok(killed >= 10, `only ${killed} runs were killed`);
  }));
