/**
 * Splitting a batch into atomic commits that respect Deno KV's limits (100 checks, 1000
 * mutations, 800 KiB of mutations per commit). Pure: sizes are estimated from the stored JSON.
 *
 * Events are grouped by work package first (the view is order-independent, and results keep
 * request order by index), so a commit rewrites each touched view row once instead of once per
 * event: fewer, smaller commits.
 */
import type { Envelope } from "../../../events/types.ts";
import type { Candidate } from "../../ingest/candidate.ts";
import { rowTargets } from "../../view/rows.ts";

const MAX_CHECKS = 100;
const MAX_MUTATIONS = 1000;
const MAX_BYTES = 400_000;
/**
 * A typical serialised view row. Rows can be bigger (long titles, node ids); a commit that turns
 * out too large is split in two by the ingest step, so this only needs to be right usually.
 */
const ROW_BYTES = 700;
/** Key, team and arrival time around each stored envelope. */
const RECORD_OVERHEAD = 120;

/** Greedy split after grouping by view row; every chunk holds at least one event. */
export function splitIntoChunks(candidates: Candidate[]): Candidate[][] {
  const grouped = candidates
    .map((c) => ({ c, row: rowIds(c.event).at(-1)! }))
    .sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : a.c.index - b.c.index))
    .map(({ c }) => c);
  const chunks: Candidate[][] = [];
  let chunk: Candidate[] = [];
  let projects = new Set<string>();
  let rows = new Set<string>();
  let bytes = 0;
  for (const c of grouped) {
    const project = c.event.project_uuid!;
    const newRows = rowIds(c.event).filter((r) => !rows.has(r));
    const newProject = projects.has(project) ? 0 : 1;
    const size = storedBytes(c.stored) + RECORD_OVERHEAD;
    const projectCount = projects.size + newProject;
    // One check per project (its view row) and one per newly claimed owner.
    const checks = 2 * projectCount;
    // Per project: its owner key and its activity index entry (one deleted, one written).
    const mutations = chunk.length + 1 + 3 * projectCount + rows.size + newRows.length;
    const total = bytes + size + (rows.size + newRows.length + projectCount) * ROW_BYTES;
    if (
      chunk.length > 0 && (checks > MAX_CHECKS || mutations > MAX_MUTATIONS || total > MAX_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      projects = new Set();
      rows = new Set();
      bytes = 0;
    }
    chunk.push(c);
    projects.add(project);
    for (const r of rowIds(c.event)) rows.add(r);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Serialised size: V8 stores a string with any char above U+00FF as UTF-16. */
function storedBytes(stored: string | Uint8Array): number {
  if (typeof stored !== "string") return stored.length;
  // deno-lint-ignore no-control-regex
  return /[^\x00-\xff]/.test(stored) ? stored.length * 2 : stored.length;
}

function rowIds(event: Envelope): string[] {
  const { feature, wp } = rowTargets(event);
  const ids = [`p\u0000${event.project_uuid}`];
  if (feature !== undefined) ids.push(`f\u0000${event.project_uuid}\u0000${feature}`);
  if (wp !== undefined) ids.push(`w\u0000${event.project_uuid}\u0000${feature}\u0000${wp}`);
  return ids;
}
