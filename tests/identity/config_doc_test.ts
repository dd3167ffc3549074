import assert from "node:assert/strict";
import {
  autoStartEnabled,
  type ConfigOk,
  missingFields,
  readConfig,
} from "../../src/identity/config_doc.ts";
import { fillConfig } from "../../src/identity/config_edit.ts";
import { parseYamlData } from "../../src/common/yaml_data.ts";

const FILL = {
  uuid: "550e8400-e29b-41d4-a716-446655440000",
  slug: "demo",
  node_id: "abcdefabcdef",
};

function ok(text: string | null): ConfigOk {
  const read = readConfig(text);
  assert.equal(read.kind, "ok", JSON.stringify(read));
  return read as ConfigOk;
}

Deno.test("a missing or empty config reads as an empty identity", () => {
  for (const text of [null, "", "   \n", "# only a comment\n"]) {
    assert.deepEqual(ok(text).fields, {});
  }
});

Deno.test("backfill splices new fields in and keeps every other byte", () => {
  const text = [
    "# top comment",
    "vcs:",
    "  type: git   # inline comment, odd spacing",
    "agents:",
    "  available: [claude, opencode, codex]",
    "",
    "  selection:",
    "    strategy: 'random'",
    "project:",
    "    # a comment inside project",
    '    slug: "my-slug"',
    'other: "x"   # trailing',
    "",
  ].join("\n");
  const out = fillConfig(text, ok(text), FILL);
  const lines = out.split("\n");
  assert.ok(lines.includes("    uuid: 550e8400-e29b-41d4-a716-446655440000"), out);
  assert.ok(lines.includes("    node_id: abcdefabcdef"), out);
  // Removing the added lines gives back the original text byte for byte.
  const restored = lines.filter((l) => !/^ {4}(uuid|node_id): /.test(l)).join("\n");
  assert.equal(restored, text);
  assert.deepEqual(ok(out).fields, { ...FILL, slug: "my-slug" });
});

Deno.test("backfill appends a project section to a config without one", () => {
  const text = "vcs:\n  type: git";
  const out = fillConfig(text, ok(text), FILL, { autoStart: true });
  assert.ok(out.startsWith("vcs:\n  type: git\nproject:\n  uuid: "), out);
  assert.equal(ok(out).autoStartSetting, true);
  assert.deepEqual((parseYamlData(out) as { vcs: unknown }).vcs, { type: "git" });
});

Deno.test("existing values are never changed; auto_start false is kept", () => {
  const text =
    "project:\n  uuid: 11111111-1111-4111-8111-111111111111\nsync:\n  auto_start: false\n";
  const read = ok(text);
  assert.deepEqual(missingFields(read.fields), ["slug", "node_id"]);
  const out = fillConfig(text, read, FILL, { autoStart: true });
  assert.equal(ok(out).fields.uuid, "11111111-1111-4111-8111-111111111111");
  assert.equal(autoStartEnabled(out), false);
});

Deno.test("flow-style project mappings fall back to re-printing, still correct", () => {
  const text = "project: {slug: x}\n";
  const out = fillConfig(text, ok(text), FILL);
  assert.deepEqual(ok(out).fields, { ...FILL, slug: "x" });
});

Deno.test("broken configs are reported with a reason", () => {
  const cases: Array<[string, RegExp]> = [
    ["a: [\n b: c", /^line 2, column \d+: /],
    ["- just\n- a list\n", /top level is not a mapping/],
    ["project: 3\n", /`project` is not a mapping/],
    ["project:\n  uuid: not-a-uuid\n", /project\.uuid is not a UUID4/],
    ["project:\n  uuid: 550e8400-e29b-11d4-a716-446655440000\n", /not a UUID4/],
    ['project:\n  slug: ""\n', /project\.slug is empty/],
    ["project:\n  slug:\n", /project\.slug is empty/],
  ];
  for (const [text, reason] of cases) {
    const read = readConfig(text);
    assert.equal(read.kind, "broken", text);
    if (read.kind === "broken") assert.match(read.reason, reason, text);
  }
});

Deno.test("a uuid is salvaged from a file that is not valid YAML", () => {
  const read = readConfig("project:\n  uuid: 550e8400-e29b-41d4-a716-446655440000\n  bad: [\n");
  assert.equal(read.kind, "broken");
  if (read.kind === "broken") {
    assert.equal(read.salvage.uuid, "550e8400-e29b-41d4-a716-446655440000");
  }
});

Deno.test("repo_slug override: a valid one is used, an invalid one noted and ignored", () => {
  assert.equal(ok("project:\n  repo_slug: Acme/Repo\n").repoSlugOverride, "Acme/Repo");
  const bad = ok("project:\n  repo_slug: a//b\n");
  assert.equal(bad.repoSlugOverride, null);
  assert.equal(bad.notes.length, 1);
});

Deno.test("auto_start: only an explicit boolean false disables it", () => {
  assert.equal(autoStartEnabled(null), true);
  assert.equal(autoStartEnabled("sync:\n  auto_start: true\n"), true);
  assert.equal(autoStartEnabled('sync:\n  auto_start: "false"\n'), true);
  assert.equal(autoStartEnabled("sync:\n"), true);
  assert.equal(autoStartEnabled("not: [valid"), true);
  assert.equal(autoStartEnabled("sync:\n  auto_start: false\n"), false);
});
