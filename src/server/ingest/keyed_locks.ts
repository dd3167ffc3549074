/**
 * Mutual exclusion per key (a project): work that names several keys waits for each of them,
 * taken in sorted order so that two such waits can never deadlock. Work on disjoint keys runs
 * concurrently; work on a shared key runs one at a time, in arrival order.
 */
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async withAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Keys someone holds or waits for (for tests). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
