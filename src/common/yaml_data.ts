/**
 * YAML as plain data, read and written: YAML 1.2's core schema (no timestamps or other extra
 * types), with js-yaml, an ES module that loads in a few milliseconds. The `yaml` package, whose
 * Node build is CommonJS and costs every command ~30 ms of start-up, is only loaded to edit
 * documents while keeping their comments and layout (frontmatter_edit.ts, config_edit.ts).
 */
import { CORE_SCHEMA, dump, load, YAMLException } from "js-yaml";

/** Text that is not YAML; `line` and `column` are 1-based when known. */
export class YamlSyntaxError extends Error {
  constructor(readonly reason: string, readonly line?: number, readonly column?: number) {
    super(reason);
  }
}

/** The data of one YAML document (`undefined` for an empty one). Throws YamlSyntaxError. */
export function parseYamlData(text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    // Nothing but blank lines and comments: an empty document.
    if (/^(?:[ \t]*(?:#[^\n]*)?\r?\n?)*$/.test(text)) return undefined;
    const mark = (err as { mark?: { line?: number; column?: number } }).mark;
    throw new YamlSyntaxError(
      err.reason ?? err.message.split("\n")[0],
      mark?.line === undefined ? undefined : mark.line + 1,
      mark?.column === undefined ? undefined : mark.column + 1,
    );
  }
}

/**
 * A new YAML document of `data` (block style, one line per scalar however long). Every string is
 * double-quoted: YAML 1.1 readers such as spec-kitty's PyYAML would otherwise take a plain `yes`,
 * `2024-01-01`, `1:20` or `<<` for a boolean, a date, a number or a merge key.
 */
export function formatYamlData(data: unknown): string {
  return dump(data, {
    schema: CORE_SCHEMA,
    lineWidth: -1,
    quoteStyle: "double",
    forceQuotes: true,
  });
}
