/**
 * Write-ahead intents: a lane change is crash-safe at every instant. Under the work package's
 * lock the status event is built and kept in the user store as an intent *before* the file is
 * replaced; once the file is replaced, the event is stored and the intent deleted in one commit.
 * A process killed in between leaves an intent, which the next command that changes lanes in
 * the feature (or `sync now`) settles under the same lock: the file shows the new lane → the
 * event is stored (once: it carries its event_id); the file still shows the old lane → the
 * change never happened and the intent is dropped.
 */
import { lockedUpdate } from "../identity/locked_update.ts";
import type { BuiltEvent, Emitter } from "../sync/emitter.ts";
import { retryLocked } from "../store/retry.ts";
import { parseWorkPackage } from "./work_package.ts";
import { isProblem } from "./work_package.ts";

export interface Intent {
  /** The task file whose lane changes. */
  path: string;
  from: string;
  to: string;
  /** The WPStatusChanged event, built (JSON of a BuiltEvent). */
  event: string;
  /** ms since the epoch. */
  created_at: number;
}

/** One intent per work package of a repository: its root, feature and WP id. */
export function intentKey(root: string, feature: string, wp: string): Deno.KvKey {
  return ["work", "intent", root, feature, wp];
}

function intentPrefix(root?: string, feature?: string): Deno.KvKey {
  if (root === undefined) return ["work", "intent"];
  return feature === undefined ? ["work", "intent", root] : ["work", "intent", root, feature];
}

export async function writeIntent(
  kv: Deno.Kv,
  key: Deno.KvKey,
  intent: Omit<Intent, "event" | "created_at">,
  built: BuiltEvent,
): Promise<void> {
  const value: Intent = { ...intent, event: JSON.stringify(built), created_at: Date.now() };
  await retryLocked(() => kv.set(key, value));
}

/** What settling the intents of a scope did. */
export interface Settled {
  /** Changes that had happened: their events are stored now. */
  stored: number;
  /** Changes that never happened: dropped. */
  dropped: number;
}

/**
 * Settles the intents left under `root` (and `feature`), or all of them: each under its task
 * file's lock, from what the file says now.
 */
export async function settleIntents(
  emitter: Emitter,
  scope: { root?: string; feature?: string } = {},
): Promise<Settled> {
  const kv = await emitter.userStore();
  const settled: Settled = { stored: 0, dropped: 0 };
  const found: Array<Deno.KvEntry<Intent>> = [];
  for await (const entry of kv.list<Intent>({ prefix: intentPrefix(scope.root, scope.feature) })) {
    found.push(entry);
  }
  for (const entry of found) {
    const intent = entry.value;
    let happened = false;
    let looked = false;
    // Under the file's lock: no command of another process is between its intent and its
    // commit for this work package while we look.
    await lockedUpdate(
      intent.path,
      (text) => {
        if (text === null) return null;
        const wp = parseWorkPackage(intent.path, text);
        happened = !isProblem(wp) && wp.lane !== intent.from;
        return null;
      },
      undefined,
      async () => {
        looked = true;
        if (happened) {
          const outcome = await emitter.store(JSON.parse(intent.event) as BuiltEvent, {
            settle: entry.key,
          });
          if (outcome.status === "stored") settled.stored++;
        }
        await retryLocked(() => kv.atomic().check(entry).delete(entry.key).commit());
        if (!happened) settled.dropped++;
      },
    ).catch(() => {});
    if (!looked && await missing(intent.path)) {
      // The task file is gone: nothing to settle against.
      await retryLocked(() => kv.atomic().check(entry).delete(entry.key).commit()).catch(() => {});
      settled.dropped++;
    }
  }
  return settled;
}

async function missing(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return false;
  } catch (err) {
    return err instanceof Deno.errors.NotFound;
  }
}
