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

/** Writes `data` to stdout as it is (no newline added). */
export async function writeStdout(data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  for (let rest = bytes; rest.length > 0;) rest = rest.subarray(await Deno.stdout.write(rest));
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

/**
 * Prints a JSON array of values given as their JSON text (UTF-8), one per line, as they come:
 * memory stays flat however long the array is, and nothing is parsed again. Output goes out in
 * chunks of about 64 KiB.
 */
export async function printJsonArrayStream(items: AsyncIterable<Uint8Array>): Promise<void> {
  jsonPrinted = true;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const flush = async () => {
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    chunks.length = 0;
    size = 0;
    await writeStdout(bytes);
  };
  const push = (chunk: Uint8Array) => {
    chunks.push(chunk);
    size += chunk.length;
  };
  let first = true;
  for await (const item of items) {
    push(first ? OPEN : SEPARATOR);
    push(item);
    first = false;
    if (size > 65_536) await flush();
  }
  push(first ? EMPTY : CLOSE);
  await flush();
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
const OPEN = bytesOf("[\n");
const SEPARATOR = bytesOf(",\n");
const CLOSE = bytesOf("\n]\n");
const EMPTY = bytesOf("[]\n");
