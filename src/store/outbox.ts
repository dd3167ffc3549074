/**
 * The durable outbox of one user store: appends go through group commit; reads are in
 * `read.ts`, the synced log in `synced.ts`.
 */
import { appendBatch, type AppendItem, type AppendOutcome, type HeadCache } from "./append.ts";
import { GroupCommitter } from "./group_commit.ts";

/** Default `[sync] max_queue_size`: pending (and, separately, held) events kept at most. */
export const DEFAULT_CAPACITY = 100_000;

export class Outbox {
  readonly #committer: GroupCommitter;
  readonly #cache: HeadCache = { head: null };

  constructor(readonly kv: Deno.Kv, readonly capacity: number = DEFAULT_CAPACITY) {
    this.#committer = new GroupCommitter((items) =>
      appendBatch(kv, items, capacity, { cache: this.#cache })
    );
  }

  /** Stores one event durably (assigning its Lamport value); shares a commit with concurrent
   * appends. `evicted` counts the entries that commit evicted to stay within capacity. */
  append(item: AppendItem): Promise<AppendOutcome & { evicted: number }> {
    return this.#committer.submit(item);
  }
}
