/**
 * Editing `.kittify/config.yaml` as a comment-preserving YAML document (pure: text in, text out),
 * with the `yaml` package's document model, loaded only when a field must be written. Only the
 * fields being added are touched; comments, key order, quoting and unrelated sections survive.
 */
import { Document, isMap, parseDocument, stringify } from "yaml";
import { type ConfigOk, FIELD_ORDER, missingFields, readConfig, scalarText } from "./config_doc.ts";
import type { StoredFields } from "./types.ts";

type Entry = [key: string, value: string | boolean];

/** The column of `offset` in `text` (0-based). */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/**
 * Adds `entries` to the top-level block mapping `section` by splicing lines into `text`, so
 * every other byte stays as it was. Returns null when the layout is not a simple block mapping
 * (the caller then falls back to re-printing the document).
 */
function spliceEntries(
  text: string,
  doc: Document,
  section: string,
  entries: Entry[],
): string | null {
  const lines = (indent: string) =>
    entries.map(([k, v]) => `${indent}${k}: ${stringify(v).trimEnd()}\n`).join("");
  const node = doc.get(section, true);
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  if (node === undefined) return `${base}${section}:\n${lines("  ")}`;
  if (!isMap(node) || node.flow || node.items.length === 0) return null;
  const first = node.items[0].key as { range?: [number, number, number] } | null;
  const last = node.items[node.items.length - 1];
  const lastEnd = (last.value as { range?: [number, number, number] } | null)?.range?.[1] ??
    (last.key as { range?: [number, number, number] } | null)?.range?.[1];
  if (!first?.range || lastEnd === undefined) return null;
  const indent = " ".repeat(columnOf(text, first.range[0]));
  let at: number;
  if (text[lastEnd - 1] === "\n") {
    at = lastEnd;
  } else {
    const nl = text.indexOf("\n", lastEnd);
    if (nl === -1) return `${base}${lines(indent)}`;
    at = nl + 1;
  }
  return `${text.slice(0, at)}${lines(indent)}${text.slice(at)}`;
}

/**
 * The config text with the missing identity fields added (existing values are never changed).
 * With `autoStart`, also adds `sync.auto_start: true` when the key is absent. Untouched lines
 * are kept byte for byte whenever the layout allows it.
 */
export function fillConfig(
  text: string | null,
  read: ConfigOk,
  fill: Required<StoredFields>,
  options: { autoStart?: boolean } = {},
): string {
  const projectEntries: Entry[] = missingFields(read.fields).map((k) => [k, fill[k]]);
  const parsed = text === null || text.trim() === "" ? null : parseDocument(text);
  const doc = parsed === null || parsed.contents === null ? new Document({}) : parsed;
  const syncNode = doc.get("sync", true);
  const wantSync = options.autoStart === true &&
    (syncNode === undefined || (isMap(syncNode) && !syncNode.has("auto_start")));
  let out: string | null = text ?? "";
  if (projectEntries.length > 0) out = spliceEntries(out, doc, "project", projectEntries);
  if (out !== null && wantSync) {
    const reparsed = parseDocument(out);
    out = spliceEntries(out, reparsed, "sync", [["auto_start", true]]);
  }
  const expected = { ...fill, ...read.fields };
  if (out !== null && hasIdentity(out, expected, wantSync)) return out;
  return reprint(doc, fill, options);
}

/** Safety net for the splice: the result must parse to exactly the expected identity. */
function hasIdentity(text: string, expected: Required<StoredFields>, wantSync: boolean): boolean {
  const check = readConfig(text);
  if (check.kind !== "ok") return false;
  const same = FIELD_ORDER.every((k) => check.fields[k] === expected[k]);
  return same && (!wantSync || check.autoStartSetting === true);
}

/** Fallback for layouts that cannot be spliced (flow mappings, null sections). */
function reprint(doc: Document, fill: Required<StoredFields>, options: { autoStart?: boolean }) {
  const project = doc.get("project", true);
  if (!isMap(project)) {
    doc.set("project", doc.createNode({ uuid: fill.uuid, slug: fill.slug, node_id: fill.node_id }));
  } else {
    for (const key of FIELD_ORDER) {
      const current = scalarText(project.get(key));
      if (current === undefined || current.trim() === "") project.set(key, fill[key]);
    }
  }
  if (options.autoStart) {
    const sync = doc.get("sync", true);
    if (!isMap(sync)) doc.set("sync", doc.createNode({ auto_start: true }));
    else if (!sync.has("auto_start")) sync.set("auto_start", true);
  }
  return doc.toString({ lineWidth: 0 });
}
