/**
 * Reading and editing `.kittify/config.yaml` as a comment-preserving YAML document (pure: text
 * in, text out). Only the fields being added are touched; comments, key order, quoting and
 * unrelated sections survive.
 */
import { Document, isMap, isScalar, parseDocument, stringify, type YAMLMap } from "yaml";
import { isUuid4, type StoredFields } from "./types.ts";
import { isValidRepoSlugOverride } from "./slug.ts";

export interface ConfigOk {
  kind: "ok";
  doc: Document;
  fields: StoredFields;
  /** `project.repo_slug` when it is a valid override. */
  repoSlugOverride: string | null;
  /** A problem with an optional field that does not make the file unusable. */
  notes: string[];
}

export interface ConfigBroken {
  kind: "broken";
  /** Why the file cannot be used, e.g. `line 3, column 5: ...`. */
  reason: string;
  /** Identity fields that could still be read, so a fallback or repair can keep them. */
  salvage: StoredFields;
}

export type ConfigRead = ConfigOk | ConfigBroken;

const FIELD_ORDER = ["uuid", "slug", "node_id"] as const;

function scalarText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Best-effort extraction of a uuid from text that is not valid YAML. */
function salvageFromText(text: string): StoredFields {
  const match = /^\s*uuid:\s*["']?([0-9a-fA-F-]{36})["']?\s*$/m.exec(text);
  return match && isUuid4(match[1]) ? { uuid: match[1].toLowerCase() } : {};
}

export function readConfig(text: string | null): ConfigRead {
  if (text === null || text.trim() === "") {
    return { kind: "ok", doc: new Document({}), fields: {}, repoSlugOverride: null, notes: [] };
  }
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = err.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}: ` : "";
    const message = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return { kind: "broken", reason: `${where}${message}`, salvage: salvageFromText(text) };
  }
  if (doc.contents === null) {
    return { kind: "ok", doc: new Document({}), fields: {}, repoSlugOverride: null, notes: [] };
  }
  if (!isMap(doc.contents)) {
    return { kind: "broken", reason: "the top level is not a mapping", salvage: {} };
  }
  const project = doc.get("project", true);
  if (project === undefined || (isScalar(project) && project.value === null)) {
    return { kind: "ok", doc, fields: {}, repoSlugOverride: null, notes: [] };
  }
  if (!isMap(project)) {
    return { kind: "broken", reason: "`project` is not a mapping", salvage: {} };
  }
  return readProject(doc, project);
}

function readProject(doc: Document, project: YAMLMap): ConfigRead {
  const fields: StoredFields = {};
  const notes: string[] = [];
  const uuid = scalarText(project.get("uuid"));
  const salvage: StoredFields = {};
  if (uuid !== undefined && uuid !== "") {
    if (!isUuid4(uuid)) {
      return { kind: "broken", reason: `project.uuid is not a UUID4: '${uuid}'`, salvage };
    }
    fields.uuid = uuid.toLowerCase();
    salvage.uuid = fields.uuid;
  }
  if (project.has("slug")) {
    const slug = scalarText(project.get("slug"));
    if (slug === undefined || slug.trim() === "") {
      return { kind: "broken", reason: "project.slug is empty", salvage };
    }
    fields.slug = slug.trim();
  }
  const nodeId = scalarText(project.get("node_id"));
  if (nodeId !== undefined && nodeId.trim() !== "") fields.node_id = nodeId.trim();
  let repoSlugOverride: string | null = null;
  if (project.has("repo_slug")) {
    const value = project.get("repo_slug");
    if (isValidRepoSlugOverride(value)) {
      repoSlugOverride = value;
    } else if (value !== null && value !== undefined) {
      notes.push(`ignoring project.repo_slug '${String(value)}': expected owner/repo`);
    }
  }
  return { kind: "ok", doc, fields, repoSlugOverride, notes };
}

/** The names of identity fields missing from `fields`. */
export function missingFields(fields: StoredFields): Array<keyof StoredFields> {
  return FIELD_ORDER.filter((key) => !fields[key]);
}

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
  const syncNode = read.doc.get("sync", true);
  const wantSync = options.autoStart === true &&
    (syncNode === undefined || (isMap(syncNode) && !syncNode.has("auto_start")));
  let out: string | null = text ?? "";
  if (projectEntries.length > 0) out = spliceEntries(out, read.doc, "project", projectEntries);
  if (out !== null && wantSync) {
    const reparsed = parseDocument(out);
    out = spliceEntries(out, reparsed, "sync", [["auto_start", true]]);
  }
  const expected = { ...fill, ...read.fields };
  if (out !== null && hasIdentity(out, expected, wantSync)) return out;
  return reprint(read.doc, fill, options);
}

/** Safety net for the splice: the result must parse to exactly the expected identity. */
function hasIdentity(text: string, expected: Required<StoredFields>, wantSync: boolean): boolean {
  const check = readConfig(text);
  if (check.kind !== "ok") return false;
  const same = FIELD_ORDER.every((k) => check.fields[k] === expected[k]);
  return same && (!wantSync || check.doc.getIn(["sync", "auto_start"]) === true);
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

/** `sync.auto_start` from a config text: only an explicit boolean false disables it. */
export function autoStartEnabled(text: string | null): boolean {
  return autoStartOf(readConfig(text));
}

/** `sync.auto_start` of an already read config (true when it is broken). */
export function autoStartOf(read: ConfigRead): boolean {
  return read.kind !== "ok" || read.doc.getIn(["sync", "auto_start"]) !== false;
}
