/**
 * Which of a batch's event ids the team has already stored (dedup is per team: keys.ts). Event ids are ULIDs, so one client's batch
 * covers a narrow key range: a single range scan answers for the whole batch. When the range
 * holds too many other events (ids spread over a long time), point reads are used instead.
 */
import { eventKey } from "./keys.ts";

const SCAN_FACTOR = 4;
/**
 * Entries per read while scanning: the values come along (Deno KV cannot list keys alone), and
 * each read's values are decoded in one synchronous step, so large events are read a few at a time.
 */
const SCAN_PAGE = 100;
const SCAN_SLACK = 1000;

export async function storedIds(
  kv: Deno.Kv,
  team: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  if (ids.length === 0) return found;
  const wanted = new Set(ids);
  let min = ids[0];
  let max = ids[0];
  for (const id of ids) {
    if (id < min) min = id;
    if (id > max) max = id;
  }
  const limit = ids.length * SCAN_FACTOR + SCAN_SLACK;
  let seen = 0;
  const entries = kv.list(
    { start: eventKey(team, min), end: eventKey(team, `${max}\u0000`) },
    { limit, batchSize: SCAN_PAGE },
  );
  for await (const entry of entries) {
    seen++;
    const id = String(entry.key[2]);
    if (wanted.has(id)) found.add(id);
  }
  if (seen < limit) return found;
  return await pointReads(kv, team, [...wanted]);
}

async function pointReads(kv: Deno.Kv, team: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const reads: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    reads.push(kv.getMany(ids.slice(i, i + 10).map((id) => eventKey(team, id))));
  }
  for (const entries of await Promise.all(reads)) {
    for (const entry of entries) if (entry.versionstamp !== null) found.add(String(entry.key[2]));
  }
  return found;
}
