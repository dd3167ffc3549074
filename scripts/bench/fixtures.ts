/** Files the benchmarks work on. */
import { join } from "node:path";
import { formatTimestamp } from "../../src/events/timestamp.ts";
import { newEventId } from "../../src/events/ulid.ts";
import { wpIdOf } from "../../src/work/ids.ts";

/** A feature of `count` planned work packages with realistic task files. */
export async function writeFeature(repo: string, feature: string, count: number): Promise<void> {
  const dir = join(repo, "kitty-specs", feature, "tasks");
  await Deno.mkdir(dir, { recursive: true });
  await Promise.all(Array.from({ length: count }, (_, i) => {
    const id = wpIdOf(i + 1);
    const text = `---\nwork_package_id: ${id}\ntitle: Work ${id}\nlane: planned\n` +
      `dependencies: []\nhistory:\n  - lane: planned\n    agent: system\n---\n\n# ${id}\n\n` +
      "Some prompt text.\n".repeat(40);
    return Deno.writeTextFile(join(dir, `${id}-work.md`), text);
  }));
}

/** Reads a `kittify serve` child's stdout until it says where it listens; returns the URL. */
export async function listeningUrl(
  reader: ReadableStreamDefaultReader<string>,
): Promise<string> {
  let out = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`serve exited: ${out}`);
    out += value;
    const url = /listening on (https?:\/\/\S+)/.exec(out)?.[1];
    if (url) return url;
  }
}

/** `n` WPStatusChanged envelopes of one project over 50 work packages in `features` features. */
export function benchEvents(
  n: number,
  project: string,
  features = 20,
): Array<Record<string, unknown>> {
  const lanes = ["planned", "claimed", "in_progress", "for_review", "done"];
  return Array.from({ length: n }, (_, i) => {
    const wp = wpIdOf(1 + (i % 50));
    const feature = `${String(1 + (i % features)).padStart(3, "0")}-feature`;
    return {
      event_id: newEventId(),
      event_type: "WPStatusChanged",
      aggregate_id: wp,
      aggregate_type: "WorkPackage",
      payload: {
        wp_id: wp,
        from_lane: lanes[i % 5],
        to_lane: lanes[(i + 1) % 5],
        actor: "bench",
        feature_slug: feature,
      },
      node_id: "a1b2c3d4e5f6",
      lamport_clock: i + 1,
      causation_id: null,
      timestamp: formatTimestamp(),
      team_slug: "bench",
      project_uuid: project,
      project_slug: "bench",
      git_branch: "main",
      head_commit_sha: "0cf3f906f4f979a000cf04c78688a397d69b6a37",
      repo_slug: "acme/bench",
    };
  });
}

/** POSTs gzip batch bodies one after another; returns how many events were stored. */
export async function postGzipBatches(
  url: string,
  access: string,
  bodies: Uint8Array<ArrayBuffer>[],
): Promise<number> {
  let stored = 0;
  for (const body of bodies) {
    const response = await fetch(`${url}/api/v1/events/batch/`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${access}`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      body,
    });
    const json = await response.json();
    stored += json.results.filter((r: { status: string }) => r.status === "success").length;
  }
  return stored;
}

/** A spawned `kittify serve` (stdout piped) once it listens: its URL, pid, and a SIGTERM stop. */
export async function listeningServer(
  child: Deno.ChildProcess,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const url = await listeningUrl(reader);
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      while (!(await reader.read()).done) { /* drain */ }
      await child.status;
    },
  };
}
