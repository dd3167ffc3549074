/** The envelope and payload rules of reference §1–§2, valid and invalid cases. */
import assert from "node:assert/strict";
import { PAYLOAD_RULES } from "../../src/events/payload_rules.ts";
import { aggregateTypeOf, ENVELOPE_KEYS, type EventType } from "../../src/events/types.ts";
import {
  AGGREGATE_TYPES,
  type Envelope,
  EVENT_TYPES,
  LANES,
  MAX_LAMPORT,
  validateEnvelope,
} from "../../src/events/validate.ts";

const VALID_PAYLOADS: Record<EventType, Record<string, unknown>> = {
  WPStatusChanged: {
    wp_id: "WP01",
    from_lane: "planned",
    to_lane: "in_progress",
    actor: "user",
    feature_slug: "039-cli",
  },
  WPCreated: { wp_id: "WP02", title: "Build it", dependencies: ["WP01"], feature_slug: "039-cli" },
  WPAssigned: { wp_id: "WP03", agent_id: "claude", phase: "review", retry_count: 2 },
  FeatureCreated: {
    feature_slug: "039-cli-2x",
    feature_number: "039",
    target_branch: "main",
    wp_count: 4,
    created_at: "2026-02-12T10:00:00Z",
  },
  FeatureCompleted: {
    feature_slug: "039-cli",
    total_wps: 4,
    completed_at: "2026-02-12T10:00:00.123456+00:00",
    total_duration: "8h 30m",
  },
  HistoryAdded: { wp_id: "WP01", entry_type: "note", entry_content: "hello", author: null },
  ErrorLogged: {
    error_type: "runtime",
    error_message: "boom",
    wp_id: null,
    stack_trace: "at x",
    agent_id: null,
  },
  DependencyResolved: { wp_id: "WP02", dependency_wp_id: "WP01", resolution_type: "merged" },
};

function envelope(overrides: Partial<Record<keyof Envelope, unknown>> = {}): Envelope {
  return {
    event_id: "01JMBY7K8N3QRVX2DPFG5HWT4E",
    event_type: "WPStatusChanged",
    aggregate_id: "WP01",
    aggregate_type: "WorkPackage",
    payload: VALID_PAYLOADS.WPStatusChanged,
    node_id: "a1b2c3d4e5f6",
    lamport_clock: 1,
    causation_id: null,
    timestamp: "2026-02-12T10:00:00.123456+00:00",
    team_slug: "local",
    project_uuid: "550e8400-e29b-41d4-a716-446655440000",
    project_slug: "spec-kitty",
    git_branch: "main",
    head_commit_sha: "0cf3f906f4f979a000cf04c78688a397d69b6a37",
    repo_slug: "priivacy/spec-kitty",
    ...overrides,
  } as Envelope;
}

function withPayload(type: EventType, payload: Record<string, unknown>): Envelope {
  return envelope({ event_type: type, aggregate_type: aggregateTypeOf(type, payload), payload });
}

Deno.test("vocabularies: 8 event types, 2 aggregate types, 7 lanes, 15 envelope keys", () => {
  assert.equal(EVENT_TYPES.length, 8);
  assert.deepEqual([...AGGREGATE_TYPES], ["WorkPackage", "Feature"]);
  assert.equal(LANES.join(" "), "planned claimed in_progress for_review done blocked canceled");
  assert.equal(ENVELOPE_KEYS.length, 15);
  assert.deepEqual(Object.keys(envelope()), [...ENVELOPE_KEYS]);
});

Deno.test("a complete envelope of every type is valid", () => {
  for (const type of EVENT_TYPES) {
    assert.deepEqual(validateEnvelope(withPayload(type, VALID_PAYLOADS[type])), [], type);
  }
});

Deno.test("non-objects are one problem", () => {
  for (const value of [null, 3, "x", [], undefined]) {
    assert.equal(validateEnvelope(value).length, 1);
    assert.match(validateEnvelope(value)[0], /^event: must be a JSON object/);
  }
});

Deno.test("every missing envelope key and every unknown key is reported", () => {
  const problems = validateEnvelope({ extra: 1 });
  for (const key of ENVELOPE_KEYS) {
    assert.ok(problems.includes(`${key}: missing required envelope field`), key);
  }
  assert.ok(problems.includes("extra: unknown envelope field"));
});

Deno.test("envelope field formats", () => {
  const bad: Array<[keyof Envelope, unknown]> = [
    ["event_id", "01jmby7k8n3qrvx2dpfg5hwt4e"],
    ["event_id", "01JMBY7K8N3QRVX2DPFG5HWT4"],
    ["event_id", "01JMBY7K8N3QRVX2DPFG5HWT4U"],
    ["event_type", "Unknown"],
    ["aggregate_id", ""],
    ["aggregate_type", "Project"],
    ["payload", []],
    ["payload", null],
    ["node_id", ""],
    ["lamport_clock", -1],
    ["lamport_clock", 1.5],
    ["lamport_clock", "3"],
    ["causation_id", "nope"],
    ["timestamp", "yesterday"],
    ["timestamp", "2026-02-30T10:00:00+00:00"],
    ["team_slug", ""],
    ["team_slug", null],
    ["project_uuid", "not-a-uuid"],
    ["project_slug", 5],
    ["git_branch", false],
    ["head_commit_sha", 1],
    ["repo_slug", {}],
  ];
  for (const [key, value] of bad) {
    const problems = validateEnvelope(envelope({ [key]: value }));
    assert.ok(problems.some((p) => p.startsWith(`${key}: invalid value`)), `${key}=${value}`);
  }
  const good: Array<[keyof Envelope, unknown]> = [
    ["lamport_clock", 0],
    ["causation_id", "01JMBY7K8N3QRVX2DPFG5HWT4F"],
    ["timestamp", "2026-02-12T10:00:00+00:00"],
    ["timestamp", "2026-02-12T10:00:00Z"],
    ["project_uuid", null],
    ["project_slug", null],
    ["git_branch", null],
    ["head_commit_sha", null],
    ["repo_slug", null],
  ];
  for (const [key, value] of good) {
    assert.deepEqual(validateEnvelope(envelope({ [key]: value })), [], `${key}=${value}`);
  }
});

Deno.test("missing required payload fields are one sorted message per event", () => {
  for (const type of EVENT_TYPES) {
    const problems = validateEnvelope(withPayload(type, {}));
    const required = [...PAYLOAD_RULES[type].required].sort().join(", ");
    assert.deepEqual(problems, [
      `payload: missing required field(s) [${required}] for ${type}`,
    ]);
  }
});

Deno.test("payload rules reject invalid values and accept valid ones", () => {
  const cases: Array<[EventType, string, unknown[], unknown[]]> = [
    ["WPStatusChanged", "wp_id", ["WP1", "WP001", "wp01", 1], ["WP00", "WP99"]],
    ["WPStatusChanged", "from_lane", ["doing", "Planned", "", null], [...LANES]],
    ["WPStatusChanged", "to_lane", ["doing", "review"], [...LANES]],
    ["WPStatusChanged", "actor", [3, {}], [null, "agent-7"]],
    ["WPStatusChanged", "feature_slug", [3], [null, "anything"]],
    ["WPCreated", "title", ["", "  ", 3], ["t"]],
    ["WPCreated", "feature_slug", ["", null], ["no-pattern-needed"]],
    ["WPCreated", "dependencies", ["WP01", ["WP1"], [3]], [[], ["WP01", "WP02"]]],
    ["WPAssigned", "agent_id", ["", null], ["a"]],
    ["WPAssigned", "phase", ["planning", ""], ["implementation", "review"]],
    ["WPAssigned", "retry_count", [-1, 1.5, "2"], [0, 7]],
    ["FeatureCreated", "feature_slug", ["39-x", "039-X", "039_x"], ["039-x-y"]],
    ["FeatureCreated", "feature_number", [39, "39", "0390"], ["039"]],
    ["FeatureCreated", "target_branch", [""], ["main"]],
    ["FeatureCreated", "wp_count", [-1, "3"], [0, 12]],
    ["FeatureCreated", "created_at", ["soon", 5], ["2026-02-12T10:00:00", "2026-02-12T10:00:00Z"]],
    ["FeatureCompleted", "feature_slug", [""], ["x"]],
    ["FeatureCompleted", "total_wps", [-2], [0]],
    ["FeatureCompleted", "completed_at", ["later"], ["2026-02-12T10:00:00.5+00:00"]],
    ["FeatureCompleted", "total_duration", [5], [null, "123.4s"]],
    ["HistoryAdded", "wp_id", ["T014"], ["WP01"]],
    ["HistoryAdded", "entry_type", ["memo"], ["note", "review", "error", "comment"]],
    ["HistoryAdded", "entry_content", [""], ["text"]],
    ["HistoryAdded", "author", [1], [null, "me"]],
    ["ErrorLogged", "error_type", ["fatal"], [
      "validation",
      "runtime",
      "network",
      "auth",
      "unknown",
    ]],
    ["ErrorLogged", "error_message", [""], ["x"]],
    ["ErrorLogged", "wp_id", [1], [null, "not-pattern-checked"]],
    ["ErrorLogged", "stack_trace", [{}], [null, "trace"]],
    ["ErrorLogged", "agent_id", [false], [null, "a"]],
    ["DependencyResolved", "wp_id", ["WP1"], ["WP05"]],
    ["DependencyResolved", "dependency_wp_id", ["x"], ["WP04"]],
    ["DependencyResolved", "resolution_type", ["done"], ["completed", "skipped", "merged"]],
  ];
  for (const [type, field, invalid, valid] of cases) {
    for (const value of invalid) {
      const problems = validateEnvelope(
        withPayload(type, { ...VALID_PAYLOADS[type], [field]: value }),
      );
      assert.equal(problems.length, 1, `${type}.${field}=${JSON.stringify(value)}`);
      assert.match(problems[0], new RegExp(`^payload\\.${field}: invalid value .* for ${type}`));
    }
    for (const value of valid) {
      const problems = validateEnvelope(
        withPayload(type, { ...VALID_PAYLOADS[type], [field]: value }),
      );
      assert.deepEqual(problems, [], `${type}.${field}=${JSON.stringify(value)}`);
    }
  }
});

Deno.test("aggregate type follows the event type", () => {
  assert.equal(aggregateTypeOf("WPCreated"), "WorkPackage");
  assert.equal(aggregateTypeOf("FeatureCreated"), "Feature");
  assert.equal(aggregateTypeOf("FeatureCompleted"), "Feature");
  assert.equal(aggregateTypeOf("ErrorLogged", { wp_id: "WP01" }), "WorkPackage");
  assert.equal(aggregateTypeOf("ErrorLogged", {}), "Feature");
});

Deno.test("a Lamport value beyond 2^52 is refused: it would exhaust a clock that observes it", () => {
  assert.deepEqual(validateEnvelope(envelope({ lamport_clock: MAX_LAMPORT })), []);
  assert.match(
    validateEnvelope(envelope({ lamport_clock: MAX_LAMPORT + 1 }))[0],
    /lamport_clock: invalid value/,
  );
  assert.match(
    validateEnvelope(envelope({ lamport_clock: Number.MAX_SAFE_INTEGER }))[0],
    /lamport_clock/,
  );
});
