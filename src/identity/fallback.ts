/**
 * Fallback identities for repositories whose config cannot be written or is broken: kept in the
 * user store under the repository's absolute path so they stay the same across runs
 * (first-write-wins through an atomic check), or in memory when even the store is unusable.
 */
import { userKv } from "../store/open.ts";
import { retryLocked } from "../store/retry.ts";
import type { StoredFields } from "./types.ts";
import { isUuid4 } from "./types.ts";

type Complete = Required<StoredFields>;

function key(repoRoot: string): Deno.KvKey {
  return ["identity", "fallback", repoRoot];
}

function isComplete(value: unknown): value is Complete {
  const v = value as Partial<Complete> | null;
  return !!v && isUuid4(v.uuid) && typeof v.slug === "string" && v.slug !== "" &&
    typeof v.node_id === "string" && v.node_id !== "";
}

/** The stored fallback for `repoRoot`, created from `candidate` if there is none yet. */
export async function storedFallback(repoRoot: string, candidate: Complete): Promise<Complete> {
  const kv = await userKv();
  for (let round = 0; round < 20; round++) {
    const existing = await kv.get(key(repoRoot));
    if (isComplete(existing.value)) return existing.value;
    const result = await retryLocked(() =>
      kv.atomic().check(existing).set(key(repoRoot), candidate).commit()
    );
    if (result.ok) return candidate;
  }
  throw new Error("could not store the fallback identity: too much contention");
}

/**
 * The fallback identity already used for `repoRoot` (events emitted while its config was broken
 * or read-only carry it), or null when there is none or the store cannot be read.
 */
export async function existingFallback(repoRoot: string): Promise<Complete | null> {
  try {
    const entry = await (await userKv()).get(key(repoRoot));
    return isComplete(entry.value) ? entry.value : null;
  } catch {
    return null;
  }
}
