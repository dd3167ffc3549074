/**
 * A removed user's open connections are closed. Requests look their user up each time, but a
 * WebSocket or a dashboard stream is authorised once, when it opens; so every few seconds each
 * open connection's user is looked up in the store, and those whose user is gone (or was removed
 * and added again: a new record) are revoked. Polling the store, rather than being told, is what
 * makes a removal by another process sharing the store (`kittify serve user remove`, a second
 * server) take effect too.
 */
import type { Hub } from "../hub.ts";
import type { UserStore } from "./users.ts";

export class RemovedUserSweep {
  private timer?: ReturnType<typeof setInterval>;
  private running = false;

  constructor(
    private readonly hub: Hub,
    private readonly users: UserStore,
    private readonly intervalMs: number,
    /** Reports a failed check (the next one tries again). */
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check of every open connection; returns how many were revoked. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const subscribers = this.hub.subscribers();
      const current = new Map<string, string | undefined>();
      for (const name of new Set(subscribers.map((s) => s.principal.username))) {
        current.set(name, (await this.users.get(name))?.created_at);
      }
      let revoked = 0;
      for (const subscriber of subscribers) {
        const { username, since } = subscriber.principal;
        if (current.get(username) === since) continue;
        subscriber.revoke();
        revoked++;
      }
      return revoked;
    } catch (err) {
      this.onError(err);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
