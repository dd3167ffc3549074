/**
 * Where `sync import-spec-kitty` puts events: the user store's outbox, plus a mark per imported
 * event that outlives its delivery (an outbox forgets a delivered event), so a second import of
 * the same queue adds nothing. An event stored by the import gets its mark in the same commit;
 * one kittify had already gets its mark right after.
 */
import type { AppendItem, AppendOutcome } from "../store/append.ts";
import { importMarkKey } from "../store/keys.ts";
import { KV_GET_MANY_KEYS } from "../store/kv_limits.ts";
import type { Outbox } from "../store/outbox.ts";
import { retryLocked } from "../store/retry.ts";
import type { ImportTarget } from "./queue_import.ts";

export function importTarget(
  kv: Deno.Kv,
  outbox: Outbox,
  options: { now: () => number; onStored?: (outcome: AppendOutcome) => void },
): ImportTarget {
  return {
    knownEvents: async (ids) => {
      const known = await outbox.knownEvents(ids);
      for (let i = 0; i < ids.length; i += KV_GET_MANY_KEYS) {
        const chunk = ids.slice(i, i + KV_GET_MANY_KEYS);
        const marks = await retryLocked(() => kv.getMany(chunk.map(importMarkKey)));
        marks.forEach((mark, j) => {
          if (mark.versionstamp !== null) known.add(chunk[j]);
        });
      }
      return known;
    },
    append: async (item: AppendItem) => {
      const key = importMarkKey(item.event.event_id);
      const outcome = await outbox.append({ ...item, guard: { key, versionstamp: null } });
      if (outcome.status === "stored") options.onStored?.(outcome);
      if (outcome.status === "duplicate") {
        const mark = { at: options.now(), event_id: item.event.event_id };
        await retryLocked(() => kv.set(key, mark));
      }
      return outcome;
    },
  };
}
