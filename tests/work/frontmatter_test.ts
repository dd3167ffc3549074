/** Frontmatter read and lane splicing: everything but the one value survives byte for byte. */
import assert from "node:assert/strict";
import {
  FrontmatterError,
  readFrontmatter,
  setFrontmatterValue,
} from "../../src/work/frontmatter.ts";
import { newTaskFile } from "../../src/work/task_add.ts";

const RICH = `---
work_package_id: "WP01"   # the id
title: 'Build: the parser'
lane: "planned"  # planned | doing | for_review | done
dependencies: [WP02, WP03]
subtasks:
  - "T001"
  - T002
history:
  - timestamp: "2025-01-01T00:00:00Z"
    lane: "planned"
    agent: system
custom_key: {a: 1, b: [x, y]}
---

# Work Package Prompt: WP01 – Build the parser

lane: planned  (this line is body text and must not change)
---
trailing rule above, and no final newline`;

Deno.test("changing lane splices only that scalar, keeping quotes, comments and body", async () => {
  const out = await setFrontmatterValue(RICH, "lane", "in_progress");
  assert.equal(
    out,
    RICH.replace('lane: "planned"  # planned', 'lane: "in_progress"  # planned'),
  );
  assert.equal(readFrontmatter(out).lane, "in_progress");
});

Deno.test("plain and single-quoted lanes keep their style", async () => {
  assert.equal(
    await setFrontmatterValue("---\nlane: doing\ntitle: x\n---\nbody\n", "lane", "for_review"),
    "---\nlane: for_review\ntitle: x\n---\nbody\n",
  );
  assert.equal(
    await setFrontmatterValue("---\nlane: 'planned'\n---\n", "lane", "done"),
    "---\nlane: 'done'\n---\n",
  );
});

Deno.test("a missing lane is added at the end of the frontmatter", async () => {
  assert.equal(
    await setFrontmatterValue("---\ntitle: x\nextra: 1\n---\n\nbody\n", "lane", "claimed"),
    "---\ntitle: x\nextra: 1\nlane: claimed\n---\n\nbody\n",
  );
  assert.equal(
    await setFrontmatterValue("---\n---\nbody", "lane", "done"),
    "---\nlane: done\n---\nbody",
  );
  assert.equal(
    await setFrontmatterValue("just a body\n", "lane", "done"),
    "---\nlane: done\n---\njust a body\n",
  );
});

Deno.test("an empty lane value or a flow mapping falls back to re-printing the frontmatter only", async () => {
  const empty = await setFrontmatterValue("---\nlane:\ntitle: x\n---\nbody ---\n", "lane", "done");
  assert.deepEqual(readFrontmatter(empty), { lane: "done", title: "x" });
  assert.ok(empty.endsWith("---\nbody ---\n"));
  const flow = await setFrontmatterValue("---\n{lane: planned, title: x}\n---\nB", "lane", "done");
  assert.deepEqual(readFrontmatter(flow), { lane: "done", title: "x" });
  assert.ok(flow.endsWith("---\nB"));
});

Deno.test("CRLF files keep their line endings", async () => {
  const text = "---\r\nlane: planned\r\ntitle: x\r\n---\r\nbody\r\n";
  assert.equal(
    await setFrontmatterValue(text, "lane", "done"),
    "---\r\nlane: done\r\ntitle: x\r\n---\r\nbody\r\n",
  );
});

Deno.test("broken frontmatter is reported with its line and never rewritten", async () => {
  const broken = "---\ntitle: x\nlane: [planned\n---\nbody\n";
  assert.throws(() => readFrontmatter(broken), FrontmatterError);
  await assert.rejects(
    () => setFrontmatterValue(broken, "lane", "done"),
    /invalid frontmatter \(line \d+/,
  );
  assert.throws(() => readFrontmatter("---\n- a\n- b\n---\n"), /not a mapping/);
});

Deno.test("no frontmatter reads as empty", () => {
  assert.deepEqual(readFrontmatter("# title\n"), {});
  assert.deepEqual(readFrontmatter("---\n---\n"), {});
});

Deno.test("a new task file's frontmatter reads back exactly, whatever the title", () => {
  const titles = ["Plain title", "a: b", "#hash", "- dash", "日本語 タスク", "it's", 'say "hi"'];
  titles.push("x".repeat(150), "null", "123", "1e3", "true", "  spaced  ", "[list]", "{map}");
  // Plain scalars a YAML 1.1 reader (spec-kitty's PyYAML) takes for something else.
  titles.push("yes", "NO", "Off", "2024-01-01", "1:20", "1_000", "0b101", "<<", "=");
  for (const title of titles) {
    const text = newTaskFile("WP07", title, title === "null" ? ["WP01", "WP02"] : []);
    const read = readFrontmatter(text);
    assert.equal(read.title, title, JSON.stringify(title));
    assert.equal(read.lane, "planned");
    assert.deepEqual(read.dependencies, title === "null" ? ["WP01", "WP02"] : []);
    // One line per key (a long title is never folded), and the title always quoted.
    const lines = text.split("\n").filter((l) => l.startsWith("title:"));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^title: "/, title);
  }
  assert.equal(
    newTaskFile("WP01", "Write docs", ["WP02"]),
    '---\nwork_package_id: "WP01"\ntitle: "Write docs"\nlane: "planned"\ndependencies:\n  - "WP02"\n' +
      "---\n\n" +
      "# WP01 – Write docs\n",
  );
});

Deno.test("a text read again is not parsed again: the same frozen data comes back", () => {
  const text = "---\nwork_package_id: WP07\nlane: planned\n---\nbody\n";
  const first = readFrontmatter(text);
  assert.equal(readFrontmatter(text), first);
  assert.ok(Object.isFrozen(first));
  assert.notEqual(readFrontmatter(text.replace("planned", "done")), first);
});
