/**
 * Lines for stdout, written in chunks: a feed that prints thousands of lines a second makes one
 * write per burst instead of one per line (a write per line was ~15% of `sync watch`'s CPU while
 * it drained a backlog). Lines go out {@link FLUSH_DELAY_MS} after the first of a burst, at once
 * when {@link FLUSH_BYTES} wait, and on {@link StdoutLines.flush}.
 */

/** How long a line may wait for others to join it, ms (too short for a person to notice). */
export const FLUSH_DELAY_MS = 10;
/** Characters of lines that are written at once, without waiting. */
export const FLUSH_BYTES = 64 * 1024;

export interface SyncWriter {
  writeSync(bytes: Uint8Array): number;
}

const encoder = new TextEncoder();

export class StdoutLines {
  #lines: string[] = [];
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(private readonly out: SyncWriter = Deno.stdout) {}

  /** Queues one line (a newline is added). */
  push(line: string): void {
    if (this.#closed) return;
    this.#lines.push(line);
    this.#size += line.length + 1;
    if (this.#size >= FLUSH_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes every queued line now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const bytes = encoder.encode(`${this.#lines.join("\n")}\n`);
    this.#lines = [];
    this.#size = 0;
    try {
      for (let rest = bytes; rest.length > 0;) rest = rest.subarray(this.out.writeSync(rest));
    } catch {
      // stdout went away (the reader of a pipe quit): the feed goes on without printing.
      this.#closed = true;
    }
  }
}
