/** stdout helpers: results only (warnings and progress go to stderr). */

/** Prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Prints aligned `key  value` rows. */
export function printRows(rows: Array<[string, string]>): void {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/**
 * `12,345`: thousands separated by commas. (`toLocaleString` would load ICU's locale data on
 * first use, ~14 ms of a short command.)
 */
export function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
