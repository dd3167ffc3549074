/** Work-package ids, file names and feature slugs (pure). */
import assert from "node:assert/strict";
import {
  featureSlugOf,
  isFeatureSlug,
  isTrackableWpId,
  nameSlug,
  parseWpId,
  wpFileName,
  wpIdFromFileName,
} from "../../src/work/ids.ts";
import { featureFromName } from "../../src/work/feature_pick.ts";
import { unicodeNameSlug } from "../../src/events/name_slug.ts";

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
  assert.equal(wpFileName("WP03", "Ünïcödé titles"), "WP03-unicode-titles.md");
  assert.equal(featureFromName("001-event-sync"), "001-event-sync");
  assert.equal(featureFromName("001-event-sync-WP03"), "001-event-sync");
  assert.equal(featureFromName("001-event-sync-wp03"), "001-event-sync");
  assert.equal(featureFromName("main"), null);
  assert.equal(featureFromName("feature/001-x"), null);
  assert.equal(featureFromName("003-日本語-WP02"), "003-日本語");
  assert.equal(featureFromName("004-Привет"), "004-привет");
});

Deno.test("names in any script: one rule for features and task files", () => {
  // Letters without a faithful ASCII form are kept, lowercased and NFC.
  assert.equal(featureSlugOf(1, "日本語"), "001-日本語");
  assert.equal(featureSlugOf(2, "Привет мир"), "002-привет-мир");
  assert.equal(featureSlugOf(3, "Ελληνικά"), "003-ελληνικά");
  assert.equal(featureSlugOf(4, "Café Überblick ✨ 日本語"), "004-cafe-uberblick-日本語");
  assert.equal(featureSlugOf(5, "Straße"), "005-straße");
  assert.equal(featureSlugOf(6, "हिन्दी पाठ"), "006-हिन्दी-पाठ"); // vowel signs are marks
  assert.equal(featureSlugOf(7, "Ｆｕｌｌ　ｗｉｄｔｈ"), "007-full-width");
  assert.equal(featureSlugOf(8, "✨ !!! ✨"), "008-feature");
  assert.equal(wpFileName("WP04", "测试"), "WP04-测试.md");
  assert.equal(wpFileName("WP05", "日本"), "WP05-日本.md");
  assert.equal(wpFileName("WP06", "🎉"), "WP06-task.md");
  // NFD input (as macOS file names come) gives the same NFC slug.
  const nfd = "Ελληνικά Café".normalize("NFD");
  assert.equal(nameSlug(nfd, "x"), "ελληνικά-cafe");
  assert.equal(nameSlug(nfd, "x"), nameSlug(nfd.normalize("NFC"), "x"));
  // Capped at 60 characters and 180 UTF-8 bytes, never in the middle of a character.
  assert.equal([...nameSlug("日".repeat(100), "x")].length, 60);
  assert.equal(new TextEncoder().encode(nameSlug("👩🏽‍💻字".repeat(100), "x")).length <= 180, true);
  // Whatever the rule produces is a valid feature slug in events, and nothing else is.
  for (const name of ["日本語", "Привет мир", "Ελληνικά", "Café ✨", "हिन्दी", "a".repeat(300)]) {
    assert.ok(isFeatureSlug(featureSlugOf(1, name)), name);
  }
  for (const bad of ["001-Foo", "001-ПРИВЕТ", "001-a b", "001-a_b", "1-x", "001-", "001-✨"]) {
    assert.equal(isFeatureSlug(bad), false, bad);
  }
  assert.equal(isFeatureSlug("001-e\u0301"), false); // not NFC
  assert.equal(isFeatureSlug("001-a--b"), true); // made by hand or by spec-kitty: still a feature
  // A joiner between a letter and its mark goes, and the two compose again.
  assert.equal(featureSlugOf(2, "и\u200d\u0306 plan"), "002-й-plan");
  assert.ok(isFeatureSlug(featureSlugOf(2, "и\u200d\u0306 plan")));
});

Deno.test("nameSlug: an ASCII name takes the same slug without the Unicode tables", () => {
  const pieces = ["Fix", "the", "API", "v2.0", "--", "  ", "\t", "\r\n", "#1", "_x_", "ÀB"];
  pieces.push("x".repeat(70), "a-".repeat(40), "!?", "0", "Z9");
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length;
  const names = ["", " ", "---", "A", "Café"];
  for (let i = 0; i < 500; i++) {
    names.push(Array.from({ length: 1 + (i % 9) }, () => pieces[next()]).join(i % 3 ? " " : ""));
  }
  for (let c = 0; c < 128; c++) names.push(`a${String.fromCharCode(c)}b`);
  for (const name of names) {
    assert.equal(nameSlug(name, "f"), unicodeNameSlug(name, "f"), JSON.stringify(name));
  }
});
