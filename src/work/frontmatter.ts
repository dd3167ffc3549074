/**
 * YAML frontmatter of Markdown files (pure: text in, text out). Editing a value splices the new
 * scalar into the original text, so comments, quoting, key order, unknown keys and the body stay
 * byte for byte; the result is re-parsed to prove that exactly that one value changed. The usual
 * layout (a top-level `key: value` line) is spliced here; anything else goes to the document
 * model of frontmatter_edit.ts, loaded only then.
 */
import { load } from "../common/load.ts";
import { sameData } from "../common/same_data.ts";
import { parseYamlData, YamlSyntaxError } from "../common/yaml_data.ts";

/** Offsets of the frontmatter inside a file's text. */
export interface Layout {
  /** First character of the YAML text (after the opening `---` line). */
  yamlStart: number;
  /** First character of the closing `---` line. */
  closeStart: number;
}

/** The frontmatter could not be read or edited safely; the file is left as it is. */
export class FrontmatterError extends Error {}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

function layoutOf(text: string): Layout | null {
  const open = OPENING.exec(text);
  if (!open) return null;
  const yamlStart = open[0].length;
  const close = CLOSING.exec(text.slice(yamlStart));
  if (!close) return null;
  return { yamlStart, closeStart: yamlStart + close.index };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The last few texts read and their frontmatter: a command reads the same file's frontmatter
 * several times (to find the work package, again under its lock, and to check an edit), and
 * parses it once.
 */
const recentlyRead = new Map<string, Readonly<Record<string, unknown>>>();
const RECENTLY_READ_LIMIT = 4;

/**
 * The frontmatter as plain data: `{}` when the file has none. Throws FrontmatterError. The same
 * text gives the same object: it must not be changed.
 */
export function readFrontmatter(text: string): Readonly<Record<string, unknown>> {
  let data = recentlyRead.get(text);
  if (data === undefined) {
    data = Object.freeze(parseFrontmatter(text));
    if (recentlyRead.size >= RECENTLY_READ_LIMIT) {
      recentlyRead.delete(recentlyRead.keys().next().value!);
    }
    recentlyRead.set(text, data);
  }
  return data;
}

function parseFrontmatter(text: string): Record<string, unknown> {
  const layout = layoutOf(text);
  if (!layout) return {};
  const yamlText = text.slice(layout.yamlStart, layout.closeStart);
  let data: unknown;
  try {
    data = parseYamlData(yamlText);
  } catch (err) {
    if (!(err instanceof YamlSyntaxError)) throw err;
    const where = err.line ? `line ${err.line + lineOf(text, layout.yamlStart) - 1}: ` : "";
    throw new FrontmatterError(`invalid frontmatter (${where}${err.reason})`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new FrontmatterError("the frontmatter is not a mapping");
  }
  return data as Record<string, unknown>;
}

function bodyOf(text: string): string {
  const layout = layoutOf(text);
  if (!layout) return text;
  const close = CLOSING.exec(text.slice(layout.closeStart))!;
  return text.slice(layout.closeStart + close[0].length);
}

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export type QuoteStyle = "plain" | "single" | "double";

/** `value` written in the quoting style of the scalar it replaces. */
export function quoteLike(style: QuoteStyle, value: string): string {
  switch (style) {
    case "double":
      return JSON.stringify(value);
    case "single":
      return `'${value.replaceAll("'", "''")}'`;
    case "plain":
      return PLAIN_SAFE.test(value) ? value : JSON.stringify(value);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The usual layout, spliced without a YAML library: `key: value` on one line of a top-level
 * block mapping whose keys start at column 0 (a missing key is added before the closing line).
 * Null for anything else; the caller proves the result by re-parsing it.
 */
function spliceLine(text: string, layout: Layout, key: string, value: string): string | null {
  const yamlText = text.slice(layout.yamlStart, layout.closeStart);
  const scalarPattern = String
    .raw`'(?:[^'\r\n]|'')*'|"(?:[^"\\\r\n]|\\.)*"|[^\s#'"&*!|>{}\[\],%@${"`"}][^\r\n#]*?`;
  const line = new RegExp(
    String.raw`^${escapeRegExp(key)}[ \t]*:[ \t]+(${scalarPattern})[ \t]*(?:#[^\r\n]*)?\r?$`,
    "gm",
  );
  const found = [...yamlText.matchAll(line)];
  if (found.length > 1) return null;
  if (found.length === 1) {
    const match = found[0];
    const scalar = match[1];
    const style: QuoteStyle = scalar.startsWith("'")
      ? "single"
      : scalar.startsWith('"')
      ? "double"
      : "plain";
    const from = layout.yamlStart + match.index! + match[0].indexOf(scalar, key.length);
    return `${text.slice(0, from)}${quoteLike(style, value)}${text.slice(from + scalar.length)}`;
  }
  // Absent: appended, if the mapping's keys start at column 0 (first key line) or it is empty.
  const firstLine = yamlText.split(/\r?\n/).find((l) => l.trim() !== "" && !/^\s*#/.test(l));
  if (firstLine !== undefined && /^\s/.test(firstLine)) return null;
  const at = layout.closeStart;
  const newline = at > layout.yamlStart && text[at - 1] !== "\n" ? "\n" : "";
  return `${text.slice(0, at)}${newline}${key}: ${quoteLike("plain", value)}\n${text.slice(at)}`;
}

function isExactEdit(before: string, after: string, key: string, value: string): boolean {
  try {
    const expected = { ...readFrontmatter(before), [key]: value };
    return sameData(readFrontmatter(after), expected) && bodyOf(after) === bodyOf(before);
  } catch {
    return false;
  }
}

/**
 * The text with frontmatter `key` set to the string `value`; everything else is kept. A file
 * without frontmatter gets one. Throws FrontmatterError when the frontmatter cannot be parsed.
 */
export async function setFrontmatterValue(
  text: string,
  key: string,
  value: string,
): Promise<string> {
  const layout = layoutOf(text);
  if (!layout) {
    const line = `${key}: ${quoteLike("plain", value)}`;
    return `---\n${line}\n---\n${text}`;
  }
  readFrontmatter(text); // throws a readable FrontmatterError for broken or non-mapping YAML
  const quick = spliceLine(text, layout, key, value);
  if (quick !== null && isExactEdit(text, quick, key, value)) return quick;
  const { spliceWithDocument, reprintWithDocument } = await load<
    typeof import("./frontmatter_edit.ts")
  >(new URL("./frontmatter_edit.ts", import.meta.url));
  const spliced = spliceWithDocument(text, layout, key, value);
  if (spliced !== null && isExactEdit(text, spliced, key, value)) return spliced;
  const reprinted = reprintWithDocument(text, layout, key, value);
  if (isExactEdit(text, reprinted, key, value)) return reprinted;
  throw new FrontmatterError(`cannot set ${key} without changing other content`);
}
