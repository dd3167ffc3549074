/**
 * Git's config file syntax, as far as it is written plainly: sections, subsections, `key =
 * value` lines, comments, quotes and escapes in values, with git's own whitespace. A line git
 * would read otherwise or reject (a value continued on the next line, a key after a section
 * header, an unknown escape, an open quote, a stray carriage return) makes the whole text
 * unreadable here: the caller asks git.
 */

/** One `key = value` line of a config file. */
export interface ConfigEntry {
  /** Lower case. */
  section: string;
  /** As written (case matters); null without one. */
  subsection: string | null;
  /** Lower case. */
  key: string;
  /** As git reads it; null for a key without `=` (a true boolean). */
  value: string | null;
  /** As written after `=`; null without `=`. */
  raw: string | null;
}

/** `[name]` or `[name "subsection"]`, then nothing but a comment; `[ \t]` is git's whitespace. */
const SECTION = /^[ \t]*\[([A-Za-z0-9.-]+)(?:[ \t]+"((?:[^"\\]|\\.)*)")?\][ \t]*(?:[#;].*)?$/;
const ENTRY = /^[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*(?:(=)(.*))?$/;
const BLANK = /^[ \t]*(?:[#;].*)?$/;

/**
 * The entries of a config file, or null when a line is not plainly valid: git may reject it, or
 * read it differently (a value continued on the next line, a key after a section header).
 */
export function configEntries(text: string): ConfigEntry[] | null {
  const entries: ConfigEntry[] = [];
  let section: string | null = null;
  let subsection: string | null = null;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (const raw of body.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.includes("\r")) return null;
    if (BLANK.test(line)) continue;
    const header = SECTION.exec(line);
    if (header) {
      section = header[1].toLowerCase();
      subsection = header[2] === undefined ? null : header[2].replace(/\\(.)/g, "$1");
      continue;
    }
    const entry = ENTRY.exec(line);
    if (!entry || section === null) return null;
    let value: string | null = null;
    if (entry[2] !== undefined) {
      value = plainValue(entry[3]);
      if (value === null) return null;
    }
    entries.push({
      section,
      subsection,
      key: entry[1].toLowerCase(),
      value,
      raw: entry[3] ?? null,
    });
  }
  return entries;
}

/**
 * A value as git reads it (git's own steps: whitespace outside quotes trimmed at the ends and
 * each run inside turned into one space, the comment dropped, quotes and escapes resolved). Null
 * for a value that continues on the next line, an unknown escape or an open quote: git's to read.
 */
function plainValue(raw: string): string | null {
  let out = "";
  let quoted = false;
  let spaces = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if ((c === " " || c === "\t") && !quoted) {
      if (out.length > 0) spaces++;
      continue;
    }
    if (!quoted && (c === "#" || c === ";")) break;
    out += " ".repeat(spaces);
    spaces = 0;
    if (c === "\\") {
      const escaped = ESCAPES[raw[i + 1] ?? ""];
      if (escaped === undefined) return null;
      out += escaped;
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else {
      out += c;
    }
  }
  return quoted ? null : out;
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", b: "\b" };
