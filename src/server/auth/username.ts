/**
 * What a username may be. Names are compared in Unicode NFKC form (so a full-width "ａｌｉｃｅ"
 * is "alice"), and a name a person could mistake for another is refused: invisible characters
 * (zero-width joiners, bidi controls, other format and control characters, whitespace) and
 * letters of scripts that do not belong together, such as Latin with Cyrillic or Greek. Scripts
 * may mix only as in Unicode's "highly restrictive" profile (UTS #39 §5.2): Latin with Han and
 * the Japanese kana, with Han and Bopomofo, or with Han and Hangul.
 */

export const MAX_USERNAME_LENGTH = 150;

/** The form a username is stored and looked up in. */
export function normalizeUsername(name: string): string {
  return name.normalize("NFKC");
}

/** Returns a reason why `name` (normalised) is not a usable username, or undefined. */
export function usernameProblem(name: string): string | undefined {
  if (name.length === 0) return "the username is empty";
  if (name.length > MAX_USERNAME_LENGTH) {
    return `the username is longer than ${MAX_USERNAME_LENGTH} characters`;
  }
  const invisible = /[\s\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/u.exec(name);
  if (invisible) {
    return `the username contains an invisible, control or whitespace character (${
      codePoint(invisible[0])
    })`;
  }
  const scripts = scriptsOf(name);
  if (!ALLOWED_MIXES.some((mix) => scripts.every((script) => mix.includes(script)))) {
    return `the username mixes letters of ${
      scripts.join(" and ")
    } (names that look alike are refused)`;
  }
  return undefined;
}

const SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Georgian",
  "Hebrew",
  "Arabic",
  "Syriac",
  "Thaana",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Khmer",
  "Ethiopic",
  "Cherokee",
  "Mongolian",
  "Han",
  "Hiragana",
  "Katakana",
  "Bopomofo",
  "Hangul",
] as const;

const SCRIPT_PATTERNS = SCRIPTS.map((script) =>
  [script, new RegExp(`\\p{Script=${script}}`, "u")] as const
);

/** Any script but the few named here is its own single script. */
const OTHER = "another script";

const ALLOWED_MIXES: ReadonlyArray<readonly string[]> = [
  ["Latin", "Han", "Hiragana", "Katakana"],
  ["Latin", "Han", "Bopomofo"],
  ["Latin", "Han", "Hangul"],
  // A single script of any kind.
  ...SCRIPTS.map((script) => [script]),
  [OTHER],
];

/** The scripts of the letters and marks in `name` (digits and punctuation belong to all). */
function scriptsOf(name: string): string[] {
  const found = new Set<string>();
  for (const char of name) {
    if (!/[\p{L}\p{M}]/u.test(char) || /\p{Script=Common}|\p{Script=Inherited}/u.test(char)) {
      continue;
    }
    found.add(SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(char))?.[0] ?? OTHER);
  }
  return [...found];
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
