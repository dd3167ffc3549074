/**
 * How many WebSockets one user may have open at once. Deno reads each incoming WebSocket message
 * whole (up to its own 64 MiB cap, denoland/deno#15809) before the server can see its size and
 * close the socket with 1009, so every open socket can briefly cost that much memory: the number
 * a single user can open is what bounds it. Live clients need one socket per machine.
 */
export const MAX_SOCKETS_PER_USER = 4;

export class SocketQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly perUser = MAX_SOCKETS_PER_USER) {}

  /** Counts a new socket for `username`; false (counting nothing) when it has its share. */
  take(username: string): boolean {
    const n = this.open.get(username) ?? 0;
    if (n >= this.perUser) return false;
    this.open.set(username, n + 1);
    return true;
  }

  /** A socket of `username` closed. */
  give(username: string): void {
    const n = (this.open.get(username) ?? 0) - 1;
    if (n > 0) this.open.set(username, n);
    else this.open.delete(username);
  }
}
