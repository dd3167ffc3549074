/**
 * One delivery run over a real (in-memory) KV outbox: the lease taken and given back, the run's
 * outcome in the sync health, and a busy lease left to its holder.
 */
import assert from "node:assert/strict";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import type { AttemptOutcome, PendingEntry } from "../../src/store/outbox.ts";
import { runDelivery } from "../../src/sync/delivery_run.ts";
import { Uploader } from "../../src/sync/uploader.ts";
import type { DeliveryAnswer } from "../../src/transport/event_transport.ts";
import { pendingItem } from "../store/outbox_conformance.ts";

const AT = Date.UTC(2026, 0, 1);

/** An outbox that cannot record an outcome (as when the store stays locked). */
class NoHealthOutbox extends KvOutbox {
  override releaseLease(owner: string, outcome?: AttemptOutcome): Promise<void> {
    if (outcome !== undefined) return Promise.reject(new Error("the store is busy"));
    return super.releaseLease(owner);
  }
}

async function withRun(
  outbox: KvOutbox,
  run: (deps: Parameters<typeof runDelivery>[0], sent: string[]) => Promise<void>,
) {
  await outbox.append(pendingItem());
  await outbox.append(pendingItem());
  const sent: string[] = [];
  const uploader = new Uploader({
    outbox,
    transport: {
      send(entries: readonly PendingEntry[]): Promise<DeliveryAnswer> {
        sent.push(...entries.map((e) => e.event_id));
        const verdicts = entries.map((e) => [e.event_id, { status: "success" as const }] as const);
        return Promise.resolve({ kind: "results", verdicts: new Map(verdicts) });
      },
    },
    tokens: { access: () => Promise.resolve("a"), renew: () => Promise.resolve("a") },
    sleep: () => Promise.resolve(),
    random: () => 1,
  });
  try {
    await run({ outbox, uploader, now: () => AT, sleep: () => Promise.resolve() }, sent);
  } finally {
    outbox.kv.close();
  }
}

const OPTIONS = { purpose: "test", wait: false, drain: { maxRetries: 0 } };

Deno.test("a run delivers, records its outcome and gives the lease back", async () => {
  await withRun(new KvOutbox(await Deno.openKv(":memory:")), async (deps, sent) => {
    const result = await runDelivery(deps, OPTIONS);
    assert.equal(result.status, "delivered");
    assert.equal(sent.length, 2);
    assert.equal(await deps.outbox.currentLease(), null);
    const health = await deps.outbox.health();
    assert.equal(health.last_success_at, new Date(AT).toISOString());
    assert.equal(health.consecutive_failures, 0);
  });
});

Deno.test("a run that cannot record its outcome still gives the lease back", async () => {
  await withRun(new NoHealthOutbox(await Deno.openKv(":memory:")), async (deps, sent) => {
    await assert.rejects(runDelivery(deps, OPTIONS), /the store is busy/);
    assert.equal(sent.length, 2);
    assert.equal(await deps.outbox.currentLease(), null, "released all the same");
  });
});

Deno.test("another holder's lease: nothing is sent, its lease stays", async () => {
  await withRun(new KvOutbox(await Deno.openKv(":memory:")), async (deps, sent) => {
    const holder = { owner: "other", pid: 1, hostname: "h", purpose: "sync now" };
    await deps.outbox.acquireLease(holder, 60_000);
    const result = await runDelivery(deps, OPTIONS);
    assert.equal(result.status, "busy");
    assert.deepEqual(sent, []);
    assert.equal((await deps.outbox.currentLease())?.owner, "other");
    assert.equal((await deps.outbox.health()).last_attempt_at, null, "nothing attempted");
  });
});
