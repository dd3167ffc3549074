/**
 * Helpers for the work-command end-to-end tests: a git repository with an identity and task files
 * written directly (fast), the CLI run as a subprocess, and the events counted in the real KV
 * store through `kittify events --json`.
 */
import { join } from "node:path";
import { type CliResult, kittifyJson, runKittify } from "../helpers/cli.ts";
import { type Sandbox, sandbox } from "../helpers/fs.ts";

export interface StoredEvent {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  payload: Record<string, unknown>;
  causation_id: string | null;
  lamport_clock: number;
  project_uuid: string | null;
  git_branch: string | null;
  head_commit_sha: string | null;
}

export interface WorkSandbox extends Sandbox {
  /** Runs kittify in the repository (or in `cwd`). */
  run(args: string[], options?: { cwd?: string; extraFlags?: string[] }): Promise<CliResult>;
  /** Every stored event, oldest first. */
  events(): Promise<StoredEvent[]>;
}

async function workSandbox(): Promise<WorkSandbox> {
  const sb = await sandbox({ commit: true });
  const run = (args: string[], options: { cwd?: string; extraFlags?: string[] } = {}) =>
    runKittify(args, {
      cwd: options.cwd ?? sb.repo,
      home: sb.home,
      extraFlags: options.extraFlags,
    });
  const init = await run(["init"]);
  if (init.code !== 0) throw new Error(`kittify init failed: ${init.stderr}`);
  const events = async () => {
    const rows = await kittifyJson<Array<{ event: StoredEvent }>>(["events", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    return rows.map((r) => r.event);
  };
  return { ...sb, run, events };
}

/** Runs `body` in a fresh work sandbox and always cleans it up. */
export async function withWorkSandbox(body: (sb: WorkSandbox) => Promise<void>): Promise<void> {
  const sb = await workSandbox();
  try {
    await body(sb);
  } finally {
    await sb.cleanup();
  }
}

export function ofType(events: StoredEvent[], type: string): StoredEvent[] {
  return events.filter((e) => e.event_type === type);
}

export function wpPath(repo: string, feature: string, file: string): string {
  return join(repo, "kitty-specs", feature, "tasks", file);
}

/** Writes `kitty-specs/<feature>/tasks/WPnn-<slug>.md` with a simple frontmatter. */
export async function writeWp(
  repo: string,
  feature: string,
  wp: { id: string; lane: string; title?: string; dependencies?: string[] },
): Promise<string> {
  const title = wp.title ?? `Work ${wp.id}`;
  const path = wpPath(repo, feature, `${wp.id}-${title.toLowerCase().replace(/\W+/g, "-")}.md`);
  await Deno.mkdir(join(repo, "kitty-specs", feature, "tasks"), { recursive: true });
  const deps = `[${(wp.dependencies ?? []).join(", ")}]`;
  await Deno.writeTextFile(
    path,
    `---\nwork_package_id: ${wp.id}\ntitle: ${title}\nlane: ${wp.lane}\ndependencies: ${deps}\n` +
      `---\n\n# ${wp.id}\n`,
  );
  return path;
}

/** The `lane:` value currently in a task file. */
export async function laneIn(path: string): Promise<string | undefined> {
  return /^lane:\s*["']?([a-z_]+)/m.exec(await Deno.readTextFile(path))?.[1];
}
