/**
 * Reading `.kittify/config.yaml` (pure: text in, data out): the identity fields, the repo slug
 * override and `sync.auto_start`. Read as plain YAML data (yaml_data.ts); editing it while keeping
 * comments and layout is config_edit.ts, loaded only when a field must be written.
 */
import { parseYamlData, YamlSyntaxError } from "../common/yaml_data.ts";
import { isUuid4, type StoredFields } from "./types.ts";
import { isValidRepoSlugOverride } from "./slug.ts";

export interface ConfigOk {
  kind: "ok";
  fields: StoredFields;
  /** `project.repo_slug` when it is a valid override. */
  repoSlugOverride: string | null;
  /** A problem with an optional field that does not make the file unusable. */
  notes: string[];
  /** `sync.auto_start` as written (undefined when absent). */
  autoStartSetting: unknown;
}

export interface ConfigBroken {
  kind: "broken";
  /** Why the file cannot be used, e.g. `line 3, column 5: ...`. */
  reason: string;
  /** Identity fields that could still be read, so a fallback or repair can keep them. */
  salvage: StoredFields;
}

export type ConfigRead = ConfigOk | ConfigBroken;

export const FIELD_ORDER = ["uuid", "slug", "node_id"] as const;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function scalarText(value: unknown): string | undefined {
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

function empty(autoStartSetting: unknown = undefined): ConfigOk {
  return { kind: "ok", fields: {}, repoSlugOverride: null, notes: [], autoStartSetting };
}

export function readConfig(text: string | null): ConfigRead {
  if (text === null || text.trim() === "") return empty();
  let data: unknown;
  try {
    data = parseYamlData(text);
  } catch (err) {
    if (!(err instanceof YamlSyntaxError)) throw err;
    const where = err.line ? `line ${err.line}, column ${err.column ?? 1}: ` : "";
    return { kind: "broken", reason: `${where}${err.reason}`, salvage: salvageFromText(text) };
  }
  if (data === null || data === undefined) return empty();
  if (!isMapping(data)) {
    return { kind: "broken", reason: "the top level is not a mapping", salvage: {} };
  }
  const autoStartSetting = isMapping(data.sync) ? data.sync.auto_start : undefined;
  const project = data.project;
  if (project === undefined || project === null) return empty(autoStartSetting);
  if (!isMapping(project)) {
    return { kind: "broken", reason: "`project` is not a mapping", salvage: {} };
  }
  return readProject(project, autoStartSetting);
}

function readProject(project: Mapping, autoStartSetting: unknown): ConfigRead {
  const fields: StoredFields = {};
  const notes: string[] = [];
  const uuid = scalarText(project.uuid);
  const salvage: StoredFields = {};
  if (uuid !== undefined && uuid !== "") {
    if (!isUuid4(uuid)) {
      return { kind: "broken", reason: `project.uuid is not a UUID4: '${uuid}'`, salvage };
    }
    fields.uuid = uuid.toLowerCase();
    salvage.uuid = fields.uuid;
  }
  if ("slug" in project) {
    const slug = scalarText(project.slug);
    if (slug === undefined || slug.trim() === "") {
      return { kind: "broken", reason: "project.slug is empty", salvage };
    }
    fields.slug = slug.trim();
  }
  const nodeId = scalarText(project.node_id);
  if (nodeId !== undefined && nodeId.trim() !== "") fields.node_id = nodeId.trim();
  let repoSlugOverride: string | null = null;
  if ("repo_slug" in project) {
    const value = project.repo_slug;
    if (isValidRepoSlugOverride(value)) {
      repoSlugOverride = value;
    } else if (value !== null && value !== undefined) {
      notes.push(`ignoring project.repo_slug '${String(value)}': expected owner/repo`);
    }
  }
  return { kind: "ok", fields, repoSlugOverride, notes, autoStartSetting };
}

/** The names of identity fields missing from `fields`. */
export function missingFields(fields: StoredFields): Array<keyof StoredFields> {
  return FIELD_ORDER.filter((key) => !fields[key]);
}

/** `sync.auto_start` from a config text: only an explicit boolean false disables it. */
export function autoStartEnabled(text: string | null): boolean {
  return autoStartOf(readConfig(text));
}

/** `sync.auto_start` of an already read config (true when it is broken). */
export function autoStartOf(read: ConfigRead): boolean {
  return read.kind !== "ok" || read.autoStartSetting !== false;
}
