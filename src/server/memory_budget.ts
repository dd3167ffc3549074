/**
 * The bytes of event data the server holds at once, for all requests and sockets together.
 * A batch body is claimed as it is decoded, before it is parsed, so a flood of large uploads is
 * turned away (503 with Retry-After) instead of taking the server's memory; what a request holds
 * is given back when it has been answered. Each decoded byte costs a few more in memory while it
 * is parsed and stored (the text, the parsed events, their stored form), so the budget is set
 * well below the memory it protects: the default lets one maximum-size batch (16 MiB decoded)
 * and many small ones be in flight together.
 *
 * Part of the budget is kept for small requests (up to 1 MiB each), so that the uploads of other
 * teams and of short commands still get through while large batches fill the rest; and one user
 * holds at most a maximum-size batch's worth, however many requests it has open.
 */

export interface BudgetOptions {
  /** Bytes all requests and sockets may hold together. */
  totalBytes: number;
  /** Of those, the bytes only small requests may use. */
  smallReserveBytes: number;
  /** A request is small while it holds at most this many bytes. */
  smallRequestBytes: number;
  /** Bytes one user's requests and sockets may hold together. */
  perUserBytes: number;
}

export const DEFAULT_BUDGET: BudgetOptions = {
  totalBytes: 24 * 1024 * 1024,
  smallReserveBytes: 8 * 1024 * 1024,
  smallRequestBytes: 1024 * 1024,
  perUserBytes: 16 * 1024 * 1024,
};

export class MemoryBudget {
  private used = 0;
  private readonly byUser = new Map<string, number>();

  constructor(readonly options: BudgetOptions = DEFAULT_BUDGET) {}

  /**
   * A claim of `user` that grows as a request's data arrives; release it when the request is
   * done.
   */
  claim(user: string): BudgetClaim {
    return new BudgetClaim(this, user);
  }

  /** Bytes held right now (for tests and diagnostics). */
  get inUse(): number {
    return this.used;
  }

  /** @internal Takes `bytes` for a claim that would then hold `after`; false if over budget. */
  take(user: string, bytes: number, after: number): boolean {
    const { totalBytes, smallReserveBytes, smallRequestBytes, perUserBytes } = this.options;
    const ceiling = after <= smallRequestBytes ? totalBytes : totalBytes - smallReserveBytes;
    const mine = this.byUser.get(user) ?? 0;
    if (this.used + bytes > ceiling || mine + bytes > perUserBytes) return false;
    this.used += bytes;
    this.byUser.set(user, mine + bytes);
    return true;
  }

  /** @internal */
  give(user: string, bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    const left = (this.byUser.get(user) ?? 0) - bytes;
    if (left > 0) this.byUser.set(user, left);
    else this.byUser.delete(user);
  }
}

export class BudgetClaim {
  private held = 0;

  constructor(private readonly budget: MemoryBudget, private readonly user: string) {}

  /** Takes `bytes` more; false (taking nothing) when the budget cannot spare them. */
  grow(bytes: number): boolean {
    if (!this.budget.take(this.user, bytes, this.held + bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Gives `bytes` back (data that was processed and dropped). */
  shrink(bytes: number): void {
    const n = Math.min(bytes, this.held);
    this.held -= n;
    this.budget.give(this.user, n);
  }

  /** Gives everything back. Safe to call more than once. */
  release(): void {
    this.shrink(this.held);
  }
}
