/** The events the work commands build are valid envelopes (checked by the shared validator). */
import assert from "node:assert/strict";
import { buildEnvelope } from "../../src/events/envelope.ts";
import { validateEnvelope } from "../../src/events/validate.ts";
import {
  type EventInput,
  featureCompleted,
  featureCreated,
  historyAdded,
  runtimeErrorLogged,
  wpCreated,
  wpStatusChanged,
} from "../../src/work/events.ts";

const CONTEXT = {
  eventId: "01HZX3J8Q7W5K9M2N4P6R8T0VA",
  nodeId: "0123456789ab",
  timestamp: "2026-01-02T03:04:05.123456+00:00",
  teamSlug: "local",
  project: { uuid: "5f0c6f8e-3b1a-4c2d-9e8f-7a6b5c4d3e2f", slug: "demo", repoSlug: null },
  git: { git_branch: "main", head_commit_sha: null },
};

function problems(input: EventInput): string[] {
  return validateEnvelope({ ...buildEnvelope(input, CONTEXT), lamport_clock: 1 });
}

Deno.test("every builder produces a valid event", () => {
  const wp = {
    id: "WP02",
    title: "Docs",
    lane: "planned" as const,
    dependencies: ["WP01"],
    path: "",
  };
  const events = [
    wpStatusChanged("WP02", "planned", "in_progress", "user", "001-x"),
    wpCreated(wp, "001-x", "01HZX3J8Q7W5K9M2N4P6R8T0VB"),
    featureCreated("001-x", "main"),
    featureCompleted("001-x", 3),
    historyAdded("WP02", "review", "LGTM", "alice"),
    runtimeErrorLogged("writing failed", { wpId: "WP02", agentId: "bot" }),
    runtimeErrorLogged("writing failed"),
  ];
  for (const event of events) assert.deepEqual(problems(event), [], event.event_type);
});

Deno.test("payload shapes follow reference §2.1", () => {
  assert.deepEqual(featureCreated("007-event-sync", "develop").payload, {
    feature_slug: "007-event-sync",
    feature_number: "007",
    target_branch: "develop",
    wp_count: 0,
  });
  const completed = featureCompleted("007-event-sync", 4);
  assert.equal(completed.aggregate_type, "Feature");
  assert.equal(completed.payload.total_wps, 4);
  const error = runtimeErrorLogged("boom");
  assert.deepEqual([error.aggregate_type, error.aggregate_id], ["Feature", "error"]);
  assert.deepEqual(error.payload, { error_type: "runtime", error_message: "boom" });
  const onWp = runtimeErrorLogged("boom", { wpId: "WP03" });
  assert.deepEqual([onWp.aggregate_type, onWp.aggregate_id], ["WorkPackage", "WP03"]);
  const created = wpCreated(
    { id: "WP01", title: "T", lane: "done", dependencies: [], path: "/x" },
    "001-x",
    "01HZX3J8Q7W5K9M2N4P6R8T0VB",
  );
  assert.equal(created.causation_id, "01HZX3J8Q7W5K9M2N4P6R8T0VB");
  assert.deepEqual(created.payload, {
    wp_id: "WP01",
    title: "T",
    dependencies: [],
    feature_slug: "001-x",
  });
});
