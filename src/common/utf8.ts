/** UTF-8 sizes of strings, cheaply for the usual all-ASCII text. */

const encoder = new TextEncoder();

/** The number of bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  // deno-lint-ignore no-control-regex
  return /[^\x00-\x7f]/.test(text) ? encoder.encode(text).length : text.length;
}
