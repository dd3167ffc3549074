/**
 * The one naming rule for feature folders and task files (pure): names in any script.
 *
 * A name becomes lowercase words joined by single hyphens. Each character (grapheme) that has a
 * faithful ASCII form once its accents are removed takes that form (`Café` → `cafe`, `Ｆｕｌｌ` →
 * `full`); any other letter, digit or mark is kept as it is, lowercased and NFC (`日本語`,
 * `привет`, `ελληνικά`, `straße`); everything else (spaces, punctuation, emoji) separates words.
 * Feature slugs are `NNN-<name slug>`, and the event rules accept exactly what this produces.
 */

/** Longest name part, in characters (graphemes) and in UTF-8 bytes (file names stay short). */
export const MAX_NAME_CHARS = 60;
const MAX_NAME_BYTES = 180;

/** An all-ASCII feature slug: nearly all of them, checked without Unicode tables. */
const ASCII_FEATURE_SLUG = /^\d{3}-[a-z0-9-]+$/;
const FEATURE_SLUG = /^\d{3}-(.+)$/s;
/**
 * Lowercase letters of any script, digits and marks; ASCII only as `a-z`, `0-9` and `-`. Made
 * when first needed: compiling Unicode property classes, and loading the segmenter's data,
 * costs tens of milliseconds that commands reading ASCII slugs should not pay at start-up.
 */
let namePart: RegExp | undefined;
let segmenter: Intl.Segmenter | undefined;
const encoder = new TextEncoder();

/** A name's slug, or `fallback` when it has no letter or digit. */
export function nameSlug(text: string, fallback: string): string {
  // An ASCII name needs neither the segmenter nor Unicode tables (~25 ms of a command's
  // start-up): each character is a grapheme, and a letter or digit is its own ASCII form.
  return isAscii(text)
    ? joinSlug(text, asciiSlugCharacter, fallback, (piece) => piece.length)
    : unicodeNameSlug(text, fallback);
}

/** {@link nameSlug} grapheme by grapheme, for any text (ASCII included, for tests). */
export function unicodeNameSlug(text: string, fallback: string): string {
  const slug = joinSlug(
    graphemes(text.normalize("NFC")),
    slugCharacter,
    fallback,
    (piece) => encoder.encode(piece).length,
  );
  return slug.normalize("NFC");
}

/** The slug of `graphemes`: their kept forms as words, within the length limits. */
function joinSlug(
  graphemes: Iterable<string>,
  slugOf: (grapheme: string) => string,
  fallback: string,
  byteLength: (piece: string) => number,
): string {
  const parts: string[] = [];
  let bytes = 0;
  let pendingHyphen = false;
  for (const grapheme of graphemes) {
    const kept = slugOf(grapheme);
    if (kept === "") {
      pendingHyphen = parts.length > 0;
      continue;
    }
    const piece = pendingHyphen ? `-${kept}` : kept;
    const size = byteLength(piece);
    if (parts.length + (pendingHyphen ? 2 : 1) > MAX_NAME_CHARS) break;
    if (bytes + size > MAX_NAME_BYTES) break;
    if (pendingHyphen) parts.push("-");
    parts.push(kept);
    bytes += size;
    pendingHyphen = false;
  }
  return parts.length === 0 ? fallback : parts.join("");
}

function* graphemes(text: string): Generator<string> {
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  for (const { segment } of segmenter.segment(text)) yield segment;
}

/** {@link slugCharacter} for one ASCII character: a letter or digit lowercased, else nothing. */
function asciiSlugCharacter(char: string): string {
  return /^[a-z0-9]$/i.test(char) ? char.toLowerCase() : "";
}

/** What one grapheme contributes to a slug: its ASCII form, itself lowercased, or nothing. */
function slugCharacter(grapheme: string): string {
  const ascii = grapheme.normalize("NFKD").replace(/\p{M}+/gu, "");
  if (/^[a-z0-9]+$/i.test(ascii)) return ascii.toLowerCase();
  // Filtering can leave a letter and its mark apart from a joiner once between them: NFC again.
  const kept = [...grapheme.toLowerCase().normalize("NFC")].filter((c) =>
    /[\p{L}\p{M}\p{N}]/u.test(c) && !/[\p{ASCII}\p{Lu}\p{Lt}]/u.test(c)
  ).join("").normalize("NFC");
  return /[\p{L}\p{N}]/u.test(kept) ? kept : "";
}

/**
 * True for `NNN-<name>` with a name made of what {@link nameSlug} produces: lowercase `a-z`,
 * digits, hyphens, and non-ASCII lowercase letters, digits and marks in NFC. Hyphens are not
 * checked further, so folders named by hand or by spec-kitty (`001-a--b`) still count.
 */
export function isFeatureSlug(value: string): boolean {
  if (ASCII_FEATURE_SLUG.test(value)) return true;
  const match = FEATURE_SLUG.exec(value);
  if (match === null || isAscii(match[1])) return false;
  namePart ??= /^(?:[a-z0-9-]|(?![\p{ASCII}\p{Lu}\p{Lt}])[\p{L}\p{M}\p{N}])+$/u;
  return namePart.test(match[1]) && value === value.normalize("NFC");
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
