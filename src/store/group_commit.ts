/**
 * Group commit: appends that arrive while a commit is in flight wait and go together in the
 * next one (within the KV per-commit limits), so a loop of concurrent emits gets throughput
 * while a single awaited emit is still exactly one commit.
 */
import { type AppendItem, type AppendOutcome, type AppendResult, checksOf } from "./append.ts";
import { APPEND_MAX_CHECKS, KV_COMMIT_BYTES_BUDGET } from "./kv_limits.ts";

interface Waiter {
  item: AppendItem;
  resolve: (outcome: AppendOutcome & { evicted: number }) => void;
  reject: (err: unknown) => void;
}

export type BatchWriter = (items: AppendItem[]) => Promise<AppendResult>;

export class GroupCommitter {
  #queue: Waiter[] = [];
  #running = false;

  constructor(private readonly write: BatchWriter) {}

  /** Stores `item`; resolves with its outcome and the evictions of the commit it was part of. */
  submit(item: AppendItem): Promise<AppendOutcome & { evicted: number }> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#takeBatch();
        try {
          const result = await this.write(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve({ ...result.outcomes[i], evicted: result.evicted }));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #takeBatch(): Waiter[] {
    let bytes = 0;
    let checks = 0;
    let n = 0;
    while (n < this.#queue.length) {
      bytes += this.#queue[n].item.bytes;
      checks += checksOf(this.#queue[n].item);
      if (n > 0 && (bytes > KV_COMMIT_BYTES_BUDGET || checks > APPEND_MAX_CHECKS)) break;
      n++;
    }
    return this.#queue.splice(0, n);
  }
}
