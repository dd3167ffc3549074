/** Reading a task file into the work-package model (pure). */
import assert from "node:assert/strict";
import { parseWorkPackage } from "../../src/work/work_package.ts";

const DIR = "/repo/kitty-specs/001-x/tasks";

Deno.test("frontmatter fields become the model; doing reads as in_progress", () => {
  const wp = parseWorkPackage(
    `${DIR}/WP03-parser.md`,
    '---\nwork_package_id: "WP03"\ntitle: "Parser"\nlane: doing\ndependencies: [wp1, "WP02"]\n---\n',
  );
  assert.deepEqual(wp, {
    id: "WP03",
    title: "Parser",
    lane: "in_progress",
    dependencies: ["WP01", "WP02"],
    path: `${DIR}/WP03-parser.md`,
  });
});

Deno.test("defaults: lane planned, title from the file name, no dependencies", () => {
  const wp = parseWorkPackage(`${DIR}/WP07-write-the-docs.md`, "# no frontmatter\n");
  assert.deepEqual(wp, {
    id: "WP07",
    title: "write the docs",
    lane: "planned",
    dependencies: [],
    path: `${DIR}/WP07-write-the-docs.md`,
  });
});

Deno.test("a numeric title is kept as text", () => {
  const wp = parseWorkPackage(`${DIR}/WP02-x.md`, "---\ntitle: 2026\n---\n");
  assert.equal((wp as { title: string }).title, "2026");
});

Deno.test("unknown lanes, bad dependencies and broken YAML are problems, not work packages", () => {
  assert.deepEqual(parseWorkPackage(`${DIR}/WP01-a.md`, "---\nlane: review\n---\n"), {
    path: `${DIR}/WP01-a.md`,
    id: "WP01",
    reason: "unknown lane 'review'",
  });
  const deps = parseWorkPackage(`${DIR}/WP01-a.md`, "---\ndependencies: [T001]\n---\n");
  assert.match((deps as { reason: string }).reason, /T001/);
  const broken = parseWorkPackage(`${DIR}/WP01-a.md`, "---\nlane: [x\n---\n");
  assert.match((broken as { reason: string }).reason, /invalid frontmatter/);
});
