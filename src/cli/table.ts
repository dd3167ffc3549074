/**
 * Tables people read in a terminal: columns are measured in display width (a CJK character or
 * an emoji takes two columns, a combining mark none; `string-width` knows which), and a table
 * wider than the terminal gives way in one column, whose cells are cut with `…` (`--json` has the
 * full text). Output that is not a terminal is never cut. A table of printable ASCII only, the
 * usual case, is measured by length: `string-width` (~30 ms to load) is loaded when a cell needs
 * it.
 */
import { load } from "../common/load.ts";
import { ink } from "../common/style.ts";

/** Display width of a text in terminal columns. */
export type Measure = (text: string) => number;

export interface TableOptions {
  /** The column that gives way when the table is too wide (default: none). */
  flexible?: number;
  /** Columns available (default: the terminal's when stdout is one, else unlimited). */
  width?: number;
}

const GAP = 2;
const MIN_FLEXIBLE = 8;
const PRINTABLE_ASCII = /^[ -~]*$/;
let segmenter: Intl.Segmenter | undefined;

/** The table's lines: the header in bold, then one line per row. */
export function formatTable(
  header: string[],
  rows: string[][],
  measure: Measure,
  options: TableOptions = {},
): string[] {
  const available = options.width ?? terminalWidth();
  const widths = header.map((h, i) =>
    Math.max(measure(h), ...rows.map((r) => measure(r[i] ?? "")))
  );
  const flexible = options.flexible;
  if (available !== undefined && flexible !== undefined) {
    const total = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
    if (total > available) {
      widths[flexible] = Math.max(MIN_FLEXIBLE, widths[flexible] - (total - available));
    }
  }
  const line = (cells: string[]) =>
    cells.map((cell, i) => pad(fit(cell ?? "", widths[i], measure), widths[i], measure))
      .join(" ".repeat(GAP)).trimEnd();
  return [ink.bold(line(header)), ...rows.map(line)];
}

/** Prints {@link formatTable}'s lines, measured by `string-width` when a cell is not ASCII. */
export async function printTable(
  header: string[],
  rows: string[][],
  options: TableOptions = {},
): Promise<void> {
  const plain = [header, ...rows].every((row) => row.every((c) => PRINTABLE_ASCII.test(c ?? "")));
  const measure: Measure = plain
    ? (text) => text.length
    : (await load<typeof import("./display_width.ts")>(
      new URL("./display_width.ts", import.meta.url),
    ))
      .displayWidth;
  console.log(formatTable(header, rows, measure, options).join("\n"));
}

/** `text` cut to `width` columns (with `…`) when it is wider; whole characters only. */
export function fit(text: string, width: number, measure: Measure): string {
  if (measure(text) <= width) return text;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = measure(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number, measure: Measure): string {
  return text + " ".repeat(Math.max(0, width - measure(text)));
}

function terminalWidth(): number | undefined {
  try {
    // A terminal that reports no width (0 columns, e.g. a pty never sized) has no known width.
    return Deno.stdout.isTerminal() ? Deno.consoleSize().columns || undefined : undefined;
  } catch {
    return undefined;
  }
}
