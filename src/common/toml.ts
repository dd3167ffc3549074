/** TOML parsing for the user's files (credentials, config.toml): the document, or why not. */

export type TomlRead = { doc: Record<string, unknown>; problem: null } | {
  doc: null;
  /** The parser's first line, e.g. `Invalid TOML document: ... (1:7)`. */
  problem: string;
};

/** Parses TOML; smol-toml is loaded only when a file actually has to be read. */
export async function parseToml(text: string): Promise<TomlRead> {
  try {
    const { parse } = await import("smol-toml");
    return { doc: parse(text), problem: null };
  } catch (err) {
    return { doc: null, problem: err instanceof Error ? err.message.split("\n")[0] : String(err) };
  }
}
