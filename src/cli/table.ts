/**
 * Tables people read in a terminal: columns are measured in display width (a CJK character or
 * an emoji takes two columns, a combining mark none; `string-width` knows which), and a table
 * wider than the terminal gives way in one column, whose cells are cut with `…` (`--json` has the
 * full text). Output that is not a terminal is never cut.
 */
import stringWidth from "string-width";
import { ink } from "../common/style.ts";

export interface TableOptions {
  /** The column that gives way when the table is too wide (default: none). */
  flexible?: number;
  /** Columns available (default: the terminal's when stdout is one, else unlimited). */
  width?: number;
}

const GAP = 2;
const MIN_FLEXIBLE = 8;
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The table's lines: the header in bold, then one line per row. */
export function formatTable(
  header: string[],
  rows: string[][],
  options: TableOptions = {},
): string[] {
  const available = options.width ?? terminalWidth();
  const widths = header.map((h, i) =>
    Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? "")))
  );
  const flexible = options.flexible;
  if (available !== undefined && flexible !== undefined) {
    const total = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
    if (total > available) {
      widths[flexible] = Math.max(MIN_FLEXIBLE, widths[flexible] - (total - available));
    }
  }
  const line = (cells: string[]) =>
    cells.map((cell, i) => pad(fit(cell ?? "", widths[i]), widths[i]))
      .join(" ".repeat(GAP)).trimEnd();
  return [ink.bold(line(header)), ...rows.map(line)];
}

/** Prints {@link formatTable}'s lines. */
export function printTable(header: string[], rows: string[][], options: TableOptions = {}): void {
  console.log(formatTable(header, rows, options).join("\n"));
}

/** `text` cut to `width` columns (with `…`) when it is wider; whole characters only. */
export function fit(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - stringWidth(text)));
}

function terminalWidth(): number | undefined {
  try {
    return Deno.stdout.isTerminal() ? Deno.consoleSize().columns : undefined;
  } catch {
    return undefined;
  }
}
