/** The most recent ids seen, at most `limit` of them (the feed prints each event once). */
export class RecentIds {
  readonly #ids = new Set<string>();
  constructor(private readonly limit: number) {}

  /** False when `id` was seen already; else remembers it (forgetting the oldest if full). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.limit) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }
}
