/**
 * The delivery lease in the KV store: one uploader per user store at a time. A holder renews it
 * while it works; a crashed holder's lease lapses after its time to live.
 */
import { withAttempt } from "./health.ts";
import { HEALTH_KEY, LEASE_KEY } from "./keys.ts";
import {
  type AttemptOutcome,
  emptyHealth,
  type Lease,
  type LeaseAttempt,
  type LeaseHolder,
  type SyncHealth,
} from "./outbox.ts";
import { retryLocked } from "./retry.ts";

const MAX_ROUNDS = 20;

export async function acquireLease(
  kv: Deno.Kv,
  holder: LeaseHolder,
  ttlMs: number,
  now: () => number,
): Promise<LeaseAttempt> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entry = await retryLocked(() => kv.get<Lease>(LEASE_KEY));
    const current = entry.value;
    if (current && current.owner !== holder.owner && current.expires_at > now()) {
      return { acquired: false, holder: current };
    }
    const lease: Lease = { ...holder, expires_at: now() + ttlMs };
    const result = await retryLocked(() => kv.atomic().check(entry).set(LEASE_KEY, lease).commit());
    if (result.ok) return { acquired: true };
  }
  throw new Error("could not take the delivery lease: the store is busy");
}

/** Extends the lease only while `holder` still holds it (never re-creates a released one). */
export async function renewLease(
  kv: Deno.Kv,
  holder: LeaseHolder,
  ttlMs: number,
  now: () => number,
): Promise<boolean> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entry = await retryLocked(() => kv.get<Lease>(LEASE_KEY));
    if (entry.value?.owner !== holder.owner) return false;
    const lease: Lease = { ...holder, expires_at: now() + ttlMs };
    const result = await retryLocked(() => kv.atomic().check(entry).set(LEASE_KEY, lease).commit());
    if (result.ok) return true;
  }
  return false;
}

export async function releaseLease(kv: Deno.Kv, owner: string): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entry = await retryLocked(() => kv.get<Lease>(LEASE_KEY));
    if (entry.value?.owner !== owner) return;
    const result = await retryLocked(() => kv.atomic().check(entry).delete(LEASE_KEY).commit());
    if (result.ok) return;
  }
}

/**
 * The end of a delivery run in one commit, not two: `outcome` joins the sync health (even when
 * the lease was lost meanwhile) and the lease is released if `owner` still holds it.
 */
export async function releaseLeaseRecording(
  kv: Deno.Kv,
  owner: string,
  outcome: AttemptOutcome,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const [lease, health] = await retryLocked(() =>
      kv.getMany<[Lease, SyncHealth]>([LEASE_KEY, HEALTH_KEY])
    );
    const commit = kv.atomic().check(lease, health)
      .set(HEALTH_KEY, withAttempt({ ...emptyHealth(), ...health.value }, outcome));
    if (lease.value?.owner === owner) commit.delete(LEASE_KEY);
    if ((await retryLocked(() => commit.commit())).ok) return;
  }
  throw new Error("could not record the sync health: the store is busy");
}

export async function currentLease(kv: Deno.Kv, now: () => number): Promise<Lease | null> {
  const lease = (await retryLocked(() => kv.get<Lease>(LEASE_KEY))).value;
  return lease && lease.expires_at > now() ? lease : null;
}
