/**
 * Editing frontmatter with the `yaml` package's document model, for the layouts the line splice
 * of frontmatter.ts does not handle (nested or flow mappings, block scalars, a missing key in an
 * indented mapping). Loaded only then: the package costs start-up time (see yaml_data.ts).
 */
import { isMap, isScalar, parseDocument, Scalar } from "yaml";
import { FrontmatterError, type Layout, quoteLike, type QuoteStyle } from "./frontmatter.ts";

const STYLES: Partial<Record<string, QuoteStyle>> = {
  [Scalar.QUOTE_DOUBLE]: "double",
  [Scalar.QUOTE_SINGLE]: "single",
  [Scalar.PLAIN]: "plain",
};

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Splices `key: value` into the text, or null when the layout is not a simple block mapping. */
export function spliceWithDocument(
  text: string,
  layout: Layout,
  key: string,
  value: string,
): string | null {
  const yamlText = text.slice(layout.yamlStart, layout.closeStart);
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) {
    throw new FrontmatterError(`invalid frontmatter (${doc.errors[0].message.split("\n")[0]})`);
  }
  const contents = doc.contents;
  if (contents !== null && (!isMap(contents) || contents.flow)) return null;
  const node = contents === null ? undefined : contents.get(key, true);
  if (isScalar(node) && node.range && node.range[1] > node.range[0]) {
    const style = node.type ? STYLES[node.type] : undefined;
    if (style === undefined) return null; // block scalars: let the re-print handle them
    const from = layout.yamlStart + node.range[0];
    const to = layout.yamlStart + node.range[1];
    return `${text.slice(0, from)}${quoteLike(style, value)}${text.slice(to)}`;
  }
  if (node !== undefined) return null;
  const firstKey = contents?.items[0]?.key as { range?: [number, number, number] } | undefined;
  const indent = firstKey?.range ? " ".repeat(columnOf(yamlText, firstKey.range[0])) : "";
  const line = `${indent}${key}: ${quoteLike("plain", value)}\n`;
  const at = layout.closeStart;
  const newline = at > layout.yamlStart && text[at - 1] !== "\n" ? "\n" : "";
  return `${text.slice(0, at)}${newline}${line}${text.slice(at)}`;
}

/** Re-prints the frontmatter with the new value (formatting inside it may change, body never). */
export function reprintWithDocument(
  text: string,
  layout: Layout,
  key: string,
  value: string,
): string {
  const doc = parseDocument(text.slice(layout.yamlStart, layout.closeStart));
  doc.set(key, value);
  return `${text.slice(0, layout.yamlStart)}${doc.toString({ lineWidth: 0 })}${
    text.slice(layout.closeStart)
  }`;
}
