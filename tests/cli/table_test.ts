/** Tables are measured in display width and give way in one column to fit the terminal. */
import assert from "node:assert/strict";
import { fit, formatTable } from "../../src/cli/table.ts";

Deno.env.set("NO_COLOR", "1");

Deno.test("columns line up by display width: CJK, emoji and combining marks", () => {
  const lines = formatTable(["WP", "TITLE", "LANE"], [
    ["WP01", "日本語のタイトル", "planned"],
    ["WP02", "Café ✨ done", "done"],
    ["WP03", "e\u0301te\u0301", "claimed"], // combining accents: 3 columns
  ]);
  // The title column is 16 columns wide (eight double-width characters); the LANE column
  // starts at display column 24 on every line, whatever the code-unit lengths.
  assert.deepEqual(lines, [
    "WP    TITLE             LANE",
    "WP01  日本語のタイトル  planned",
    "WP02  Café ✨ done      done",
    "WP03  e\u0301te\u0301               claimed",
  ]);
});

Deno.test("a table wider than the terminal cuts its flexible column with …", () => {
  const long = "A very long work package title that cannot fit in a narrow terminal";
  const lines = formatTable(["WP", "TITLE", "LANE"], [["WP01", long, "in_progress"]], {
    flexible: 1,
    width: 40,
  });
  // 4 + 2 + 67 + 2 + 11 = 86 > 40: the title gives way by 46 columns, to 21 (20 + "…").
  assert.equal(lines[1], "WP01  A very long work pac…  in_progress");
  assert.equal(lines[0], "WP    TITLE" + " ".repeat(18) + "LANE");
  // Without a width (not a terminal), nothing is cut.
  assert.ok(formatTable(["T"], [[long]], { flexible: 0 })[1].includes(long));
});

Deno.test("cutting never splits a character: wide ones, emoji sequences", () => {
  assert.equal(fit("日本語です", 6), "日本…");
  assert.equal(fit("👩‍💻👩‍💻👩‍💻", 5), "👩‍💻👩‍💻…");
  assert.equal(fit("short", 10), "short");
});
