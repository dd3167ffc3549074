/**
 * spec-kitty's Lamport clock file, `<home>/clock.json` (reference §3): `{"value", "node_id",
 * "updated_at"}`, 2-space JSON, replaced atomically. kittify keeps its own clock in the user
 * store, continues from the higher of the two, and writes its high-water mark back, so the two
 * tools never reuse a value for one node. The file also carries `kittify_value`, the last value
 * kittify wrote: a user store whose clock is behind it was lost or replaced.
 */
import { join } from "../common/path.ts";
import { atomicWrite } from "../common/atomic_write.ts";

export const CLOCK_FILE = "clock.json";

export interface ClockFile {
  value: number;
  node_id: string | null;
  /** What kittify wrote last (spec-kitty drops the key when it rewrites the file). */
  kittify_value: number | null;
}

const count = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : 0;

/** The clock file, or null when there is none; an unreadable or broken one reads as 0. */
export async function readClockFile(home: string): Promise<ClockFile | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(home, CLOCK_FILE));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    return { value: 0, node_id: null, kittify_value: null };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { value: 0, node_id: null, kittify_value: null };
  }
  const d = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  return {
    value: count(d.value),
    node_id: typeof d.node_id === "string" && d.node_id !== "" ? d.node_id : null,
    kittify_value: typeof d.kittify_value === "number" ? count(d.kittify_value) : null,
  };
}

/** Python's `isoformat()` in UTC: microseconds and `+00:00`. */
function updatedAt(now: Date): string {
  return now.toISOString().replace(/Z$/, "000+00:00");
}

/**
 * Writes `value` as the high-water mark, never lowering what is there now (read again just
 * before the write).
 */
export async function writeClockFile(
  home: string,
  value: number,
  nodeId: string,
  now: Date = new Date(),
): Promise<void> {
  const current = await readClockFile(home);
  if (current && current.value >= value && current.kittify_value === value) return;
  const doc = {
    value: Math.max(value, current?.value ?? 0),
    node_id: current?.node_id ?? nodeId,
    updated_at: updatedAt(now),
    kittify_value: value,
  };
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  await atomicWrite(join(home, CLOCK_FILE), `${JSON.stringify(doc, null, 2)}\n`);
}
