/** Sync health in the KV store: last attempt, last success, last failure, failures in a row. */
import { HEALTH_KEY } from "./keys.ts";
import { type AttemptOutcome, emptyHealth, type SyncHealth } from "./outbox.ts";
import { retryLocked } from "./retry.ts";

const MAX_ROUNDS = 20;

export async function readHealth(kv: Deno.Kv): Promise<SyncHealth> {
  const stored = (await retryLocked(() => kv.get<SyncHealth>(HEALTH_KEY))).value;
  return { ...emptyHealth(), ...stored };
}

/** The health after one more attempt (pure). */
export function withAttempt(health: SyncHealth, outcome: AttemptOutcome): SyncHealth {
  const at = outcome.at.toISOString();
  if (outcome.ok) {
    return { ...health, last_attempt_at: at, last_success_at: at, consecutive_failures: 0 };
  }
  return {
    ...health,
    last_attempt_at: at,
    last_failure: { at, reason: outcome.reason, category: outcome.category },
    consecutive_failures: health.consecutive_failures + 1,
  };
}

export async function recordAttempt(kv: Deno.Kv, outcome: AttemptOutcome): Promise<SyncHealth> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entry = await retryLocked(() => kv.get<SyncHealth>(HEALTH_KEY));
    const next = withAttempt({ ...emptyHealth(), ...entry.value }, outcome);
    const result = await retryLocked(() => kv.atomic().check(entry).set(HEALTH_KEY, next).commit());
    if (result.ok) return next;
  }
  throw new Error("could not record the sync health: the store is busy");
}
