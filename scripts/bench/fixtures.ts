/** Files the benchmarks work on. */
import { join } from "node:path";
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
