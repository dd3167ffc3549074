/** stdout helpers: results only (warnings and progress go to stderr). */

let jsonPrinted = false;

/** Prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  jsonPrinted = true;
  console.log(JSON.stringify(value, null, 2));
}

/** Whether this process printed its JSON document already (a failure then adds none). */
export function printedJson(): boolean {
  return jsonPrinted;
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
