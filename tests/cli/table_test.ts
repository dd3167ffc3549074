/** Tables are measured in display width and give way in one column to fit the terminal. */
import assert from "node:assert/strict";
import { displayWidth } from "../../src/cli/display_width.ts";
import { fit, formatTable } from "../../src/cli/table.ts";

Deno.env.set("NO_COLOR", "1");

Deno.test("columns line up by display width: CJK, emoji and combining marks", () => {
  const lines = formatTable(["WP", "TITLE", "LANE"], [
    ["WP01", "日本語のタイトル", "planned"],
    ["WP02", "Café ✨ done", "done"],
    ["WP03", "e\u0301te\u0301", "claimed"], // combining accents: 3 columns
  ], displayWidth);
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
  const lines = formatTable(
    ["WP", "TITLE", "LANE"],
    [["WP01", long, "in_progress"]],
    displayWidth,
    {
      flexible: 1,
      width: 40,
    },
  );
  // 4 + 2 + 67 + 2 + 11 = 86 > 40: the title gives way by 46 columns, to 21 (20 + "…").
  assert.equal(lines[1], "WP01  A very long work pac…  in_progress");
  assert.equal(lines[0], "WP    TITLE" + " ".repeat(18) + "LANE");
  // Without a width (not a terminal), nothing is cut.
  assert.ok(formatTable(["T"], [[long]], displayWidth, { flexible: 0 })[1].includes(long));
});

Deno.test("cutting never splits a character: wide ones, emoji sequences", () => {
  assert.equal(fit("日本語です", 6, displayWidth), "日本…");
  assert.equal(fit("👩‍💻👩‍💻👩‍💻", 5, displayWidth), "👩‍💻👩‍💻…");
  assert.equal(fit("short", 10, displayWidth), "short");
});

Deno.test("tables print the same whether measured by length (ASCII) or by display width", async () => {
  const rows = [["WP01", "Build the parser", "planned"], ["WP02", "日本語", "done"]];
  const print = async (table: string[][]) => {
    const { printTable } = await import("../../src/cli/table.ts");
    const lines: string[] = [];
    const original = console.log;
    console.log = (text: string) => lines.push(text);
    try {
      await printTable(["WP", "TITLE", "LANE"], table);
    } finally {
      console.log = original;
    }
    return lines.join("\n").split("\n");
  };
  assert.deepEqual(await print(rows.slice(0, 1)), [
    "WP    TITLE             LANE",
    "WP01  Build the parser  planned",
  ]);
  // A wide title in the middle column: padded by display width (6 columns, not 3 characters).
  assert.deepEqual(await print(rows), [
    "WP    TITLE             LANE",
    "WP01  Build the parser  planned",
    "WP02  日本語            done",
  ]);
});
