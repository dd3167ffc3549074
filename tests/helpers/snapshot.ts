/**
 * Snapshots of what users read: a transcript of CLI runs (subprocesses with NO_COLOR, see
 * cli.ts), each with its exit code, stdout and stderr, compared with a file under
 * `tests/cli/__snapshots__/`. Ids, times, temporary paths and ports are replaced by stable
 * placeholders; the same id gets the same placeholder throughout a transcript (`<ulid-3>`), so
 * a mix-up of ids still shows.
 *
 * `deno task snapshots:update` (the snapshot tests with `-- --update`) rewrites the files; the
 * normal test run only compares, and fails on any change of the text.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type CliOptions, type CliResult, runKittify } from "./cli.ts";

const SNAPSHOTS = fileURLToPath(new URL("../cli/__snapshots__/", import.meta.url));

/** `-- --update` after the test files (`deno task snapshots:update`). */
export const UPDATING = Deno.args.includes("--update");

const PATTERNS: Array<[kind: string, pattern: RegExp]> = [
  ["uuid", /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g],
  ["ulid", /\b[0-9A-HJKMNP-TV-Z]{26}\b/g],
  ["sha", /\b[0-9a-f]{40}\b/g],
  ["node", /\b[0-9a-f]{12}\b/g],
];

/**
 * Things that differ from run to run without being ids, each replaced by one fixed text. Times
 * of a fixed width keep it (padded), so tables stay aligned; durations vary in width and do not.
 */
const VOLATILE: Array<[RegExp, string, { pad?: boolean }]> = [
  [/\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, "<time>", { pad: true }],
  [/\b\d\d:\d\d:\d\d\b/g, "<clock>", { pad: true }],
  [/\b\d+(\.\d+)?ms\b/g, "<ms>", {}],
  [/\b(\d+[smhd] ?)+ (ago|left)\b/g, "<duration> $2", {}],
  [/\bin (\d+[smhd] ?)+\b/g, "in <duration>", {}],
  [/\bpid \d+/g, "pid <pid>", {}],
];

export class Transcript {
  private readonly parts: string[] = [];
  private readonly seen = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** Literal texts (paths, URLs) and their placeholders, longest first. */
  private literals: Array<[string, string]> = [];

  /** Replaces `text` (a temporary path, a server URL) by `placeholder` wherever it appears. */
  literal(text: string, placeholder: string): this {
    this.literals.push([text, placeholder]);
    this.literals.sort((a, b) => b[0].length - a[0].length);
    return this;
  }

  /** Runs the CLI and records the run. */
  async run(args: string[], opts: CliOptions, label = args.join(" ")): Promise<CliResult> {
    const result = await runKittify(args, opts);
    this.record(label, result);
    return result;
  }

  /**
   * Runs commands that do not depend on each other at the same time, and records them in the
   * order given (read-only commands: their output is the same in any order).
   */
  async runAll(commands: string[][], opts: CliOptions): Promise<CliResult[]> {
    const results = await Promise.all(commands.map((args) => runKittify(args, opts)));
    commands.forEach((args, i) => this.record(args.join(" "), results[i]));
    return results;
  }

  /** Records a run made some other way (a long-running command). */
  record(label: string, result: CliResult): void {
    const lines = [`$ kittify ${this.normalize(label)}`, `[exit ${result.code}]`];
    if (result.stdout !== "") lines.push("--- stdout", this.normalize(result.stdout).trimEnd());
    if (result.stderr !== "") lines.push("--- stderr", this.normalize(result.stderr).trimEnd());
    this.parts.push(lines.join("\n"));
  }

  normalize(text: string): string {
    let out = text;
    for (const [literal, placeholder] of this.literals) out = out.replaceAll(literal, placeholder);
    for (const [kind, pattern] of PATTERNS) {
      out = out.replace(pattern, (match) => {
        let name = this.seen.get(match);
        if (!name) {
          const n = (this.counts.get(kind) ?? 0) + 1;
          this.counts.set(kind, n);
          name = `<${kind}-${n}>`;
          this.seen.set(match, name);
        }
        return name;
      });
    }
    // Same width as what they replace where it is short enough, so tables stay aligned.
    for (const [pattern, replacement, { pad }] of VOLATILE) {
      out = out.replace(pattern, (match, ...groups) => {
        const text = replacement.replace("$2", String(groups[1] ?? ""));
        return pad ? text.padEnd(match.length) : text;
      });
    }
    return out.replace(/[ \t]+$/gm, "");
  }

  text(): string {
    return `${this.parts.join("\n\n")}\n`;
  }

  /** Compares the transcript with `__snapshots__/<name>.txt` (or rewrites it when updating). */
  async check(name: string): Promise<void> {
    const path = `${SNAPSHOTS}${name}.txt`;
    const actual = this.text();
    if (UPDATING) {
      await Deno.mkdir(SNAPSHOTS, { recursive: true });
      await Deno.writeTextFile(path, actual);
      return;
    }
    let expected: string;
    try {
      expected = await Deno.readTextFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      throw new Error(`no snapshot ${path}: run \`deno task snapshots:update\` to write it`);
    }
    assert.equal(
      actual,
      expected,
      `the output differs from ${path}; if the change is intended, run ` +
        "`deno task snapshots:update` and review the diff",
    );
  }
}
