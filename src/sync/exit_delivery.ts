/**
 * The end of an emitting command: one attempt to deliver, bounded by the exit budget counted from
 * the process's start (token refresh included), after which requests in flight are aborted. A
 * delivery problem is at most one warning line; it never changes the command's output or exit
 * code.
 */
import { syncClient } from "./client.ts";
import { runDelivery } from "./delivery_run.ts";
import { exitAttemptMs, type SyncRuntime, type SyncRuntimeDeps } from "./runtime.ts";

export async function deliverAtExit(runtime: SyncRuntime, deps: SyncRuntimeDeps): Promise<void> {
  const budget = AbortSignal.timeout(exitAttemptMs(deps.exitBudgetMs, deps.uptimeMs()));
  const client = syncClient({
    home: deps.home(),
    serverUrl: runtime.settings.serverUrl,
    outbox: runtime.outbox,
    fetch: deps.fetch,
    now: deps.now,
  });
  const result = await runDelivery(client, {
    purpose: "delivery at the end of a command",
    wait: false,
    drain: { signal: budget, maxRetries: 0 },
  });
  // Another process is delivering (a `sync now`, another command's exit): it takes ours too.
  if (result.status === "busy") return;
  const { stopped, failures } = result.report;
  if (failures.length > 0) {
    const dead = failures.filter((f) => f.dead).length;
    deps.warn(
      `the server rejected ${failures.length} event(s) (${failures[0].error})` +
        (dead > 0 ? `; ${dead} became dead letters` : "") +
        " — see `kittify sync status`",
    );
    return;
  }
  if (stopped === null) return;
  const pending = (await runtime.outbox.head()).stats.count.pending;
  if (pending === 0) return;
  const why = stopped.kind === "out_of_time" ? "the server did not answer in time" : stopped.reason;
  deps.warn(
    `${pending} event(s) not delivered yet (${why}); they wait in the outbox — ` +
      "see `kittify sync status`",
  );
}
