/**
 * YAML frontmatter of Markdown files (pure: text in, text out). Editing a value splices the new
 * scalar into the original text, so comments, quoting, key order, unknown keys and the body stay
 * byte for byte; the result is re-parsed to prove that exactly that one value changed.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, parse, parseDocument, Scalar, YAMLParseError } from "yaml";

/** Offsets of the frontmatter inside a file's text. */
interface Layout {
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

/** The frontmatter as plain data: `{}` when the file has none. Throws FrontmatterError. */
export function readFrontmatter(text: string): Record<string, unknown> {
  const layout = layoutOf(text);
  if (!layout) return {};
  const yamlText = text.slice(layout.yamlStart, layout.closeStart);
  let data: unknown;
  try {
    data = parse(yamlText);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const pos = err.linePos?.[0];
    const where = pos ? `line ${pos.line + lineOf(text, layout.yamlStart) - 1}: ` : "";
    const message = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new FrontmatterError(`invalid frontmatter (${where}${message})`);
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

/** `value` written in the same quoting style as the scalar it replaces. */
function quoteLike(type: Scalar["type"], value: string): string | null {
  switch (type) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.QUOTE_SINGLE:
      return `'${value.replaceAll("'", "''")}'`;
    case Scalar.PLAIN:
      return PLAIN_SAFE.test(value) ? value : JSON.stringify(value);
    default:
      return null; // block scalars: let the fallback re-print
  }
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Splices `key: value` into the text, or null when the layout is not a simple block mapping. */
function splice(text: string, layout: Layout, key: string, value: string): string | null {
  const yamlText = text.slice(layout.yamlStart, layout.closeStart);
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    throw new FrontmatterError(`invalid frontmatter (${doc.errors[0].message.split("\n")[0]})`);
  }
  const contents = doc.contents;
  if (contents !== null && (!isMap(contents) || contents.flow)) return null;
  const node = contents === null ? undefined : contents.get(key, true);
  if (isScalar(node) && node.range && node.range[1] > node.range[0]) {
    const replacement = quoteLike(node.type, value);
    if (replacement === null) return null;
    const from = layout.yamlStart + node.range[0];
    const to = layout.yamlStart + node.range[1];
    return `${text.slice(0, from)}${replacement}${text.slice(to)}`;
  }
  if (node !== undefined) return null;
  const firstKey = contents?.items[0]?.key as { range?: [number, number, number] } | undefined;
  const indent = firstKey?.range ? " ".repeat(columnOf(yamlText, firstKey.range[0])) : "";
  const line = `${indent}${key}: ${quoteLike(Scalar.PLAIN, value)}\n`;
  const at = layout.closeStart;
  const newline = at > layout.yamlStart && text[at - 1] !== "\n" ? "\n" : "";
  return `${text.slice(0, at)}${newline}${line}${text.slice(at)}`;
}

/** Re-prints the frontmatter with the new value (formatting inside it may change, body never). */
function reprint(text: string, layout: Layout, key: string, value: string): string {
  const doc = parseDocument(text.slice(layout.yamlStart, layout.closeStart));
  doc.set(key, value);
  return `${text.slice(0, layout.yamlStart)}${doc.toString({ lineWidth: 0 })}${
    text.slice(layout.closeStart)
  }`;
}

function isExactEdit(before: string, after: string, key: string, value: string): boolean {
  try {
    const expected = { ...readFrontmatter(before), [key]: value };
    return isDeepStrictEqual(readFrontmatter(after), expected) && bodyOf(after) === bodyOf(before);
  } catch {
    return false;
  }
}

/**
 * The text with frontmatter `key` set to the string `value`; everything else is kept. A file
 * without frontmatter gets one. Throws FrontmatterError when the frontmatter cannot be parsed.
 */
export function setFrontmatterValue(text: string, key: string, value: string): string {
  const layout = layoutOf(text);
  if (!layout) {
    const line = `${key}: ${quoteLike(Scalar.PLAIN, value)}`;
    return `---\n${line}\n---\n${text}`;
  }
  readFrontmatter(text); // throws a readable FrontmatterError for broken or non-mapping YAML
  const spliced = splice(text, layout, key, value);
  if (spliced !== null && isExactEdit(text, spliced, key, value)) return spliced;
  const reprinted = reprint(text, layout, key, value);
  if (isExactEdit(text, reprinted, key, value)) return reprinted;
  throw new FrontmatterError(`cannot set ${key} without changing other content`);
}
