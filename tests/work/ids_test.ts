/** Work-package ids, file names and feature slugs (pure). */
import assert from "node:assert/strict";
import {
  featureSlugOf,
  isTrackableWpId,
  parseWpId,
  wpFileName,
  wpIdFromFileName,
} from "../../src/work/ids.ts";
import { featureFromName } from "../../src/work/feature_pick.ts";

Deno.test("WP ids typed by users are normalised to WPnn", () => {
  assert.equal(parseWpId("WP01"), "WP01");
  assert.equal(parseWpId("wp1"), "WP01");
  assert.equal(parseWpId("7"), "WP07");
  assert.equal(parseWpId("WP03-build-the-parser"), "WP03");
  assert.equal(parseWpId("WP120"), "WP120");
  assert.equal(parseWpId("WP00"), null);
  assert.equal(parseWpId("T001"), null);
  assert.equal(parseWpId(""), null);
});

Deno.test("only WP01–WP99 fit the event format", () => {
  assert.equal(isTrackableWpId("WP99"), true);
  assert.equal(isTrackableWpId("WP100"), false);
});

Deno.test("task file names: WPnn-<title-slug>.md", () => {
  assert.equal(wpFileName("WP02", "Build the Parser!"), "WP02-build-the-parser.md");
  assert.equal(wpIdFromFileName("WP02-build-the-parser.md"), "WP02");
  assert.equal(wpIdFromFileName("WP105-x.md"), "WP105");
  assert.equal(wpIdFromFileName("WP02.md"), "WP02");
  assert.equal(wpIdFromFileName("README.md"), null);
  assert.equal(wpIdFromFileName("WP02-x.txt"), null);
  assert.equal(wpFileName("WP01", "x".repeat(200)).length, "WP01-".length + 60 + ".md".length);
});

Deno.test("feature slugs and the feature named by a branch or worktree", () => {
  assert.equal(featureSlugOf(7, "Event Sync: v2"), "007-event-sync-v2");
  assert.equal(featureSlugOf(8, "Café Crème"), "008-cafe-creme");
  assert.equal(featureSlugOf(9, "日本語"), "009-feature");
  assert.equal(wpFileName("WP03", "Ünïcödé titles"), "WP03-unicode-titles.md");
  assert.equal(wpFileName("WP04", "测试"), "WP04-task.md");
  assert.equal(featureFromName("001-event-sync"), "001-event-sync");
  assert.equal(featureFromName("001-event-sync-WP03"), "001-event-sync");
  assert.equal(featureFromName("001-event-sync-wp03"), "001-event-sync");
  assert.equal(featureFromName("main"), null);
  assert.equal(featureFromName("feature/001-x"), null);
});
