/**
 * Live fan-out: every open WebSocket and dashboard stream subscribes for its team; events stored
 * through any path are published to the team's subscribers (except the connection that sent
 * them, which gets acks instead).
 */
import type { Envelope } from "../events/types.ts";
import { eventFrame } from "../protocol/frames.ts";
import type { Principal } from "./auth/tokens.ts";

/** Events just stored for a team, with their WebSocket frames built once for all listeners. */
export class Broadcast {
  #frames?: string[];

  constructor(readonly events: readonly Envelope[]) {}

  /** One `{"type": "event", ...}` frame per event, in order. */
  frames(): readonly string[] {
    return this.#frames ??= this.events.map(eventFrame);
  }
}

export interface Subscriber {
  /** The user the connection was opened for; its team is what it hears about. */
  readonly principal: Principal;
  /** Events just stored for the subscriber's team, in storage order. */
  deliver(broadcast: Broadcast): void;
  /** Ends the subscription from the server side (shutdown). */
  close(): void;
  /** Ends the subscription because its user was removed: the client must log in again. */
  revoke(): void;
}

export class Hub {
  private readonly byTeam = new Map<string, Set<Subscriber>>();

  add(subscriber: Subscriber): void {
    const team = subscriber.principal.team;
    let set = this.byTeam.get(team);
    if (!set) this.byTeam.set(team, set = new Set());
    set.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    const team = subscriber.principal.team;
    const set = this.byTeam.get(team);
    if (!set) return;
    set.delete(subscriber);
    if (set.size === 0) this.byTeam.delete(team);
  }

  /** Every subscriber, for checks that walk them all (see removed_users.ts). */
  subscribers(): Subscriber[] {
    return [...this.byTeam.values()].flatMap((set) => [...set]);
  }

  publish(team: string, events: readonly Envelope[], except?: Subscriber): void {
    if (events.length === 0) return;
    const broadcast = new Broadcast(events);
    for (const subscriber of this.byTeam.get(team) ?? []) {
      if (subscriber === except) continue;
      try {
        subscriber.deliver(broadcast);
      } catch {
        // A subscriber whose transport just died is removed by its own close handler.
      }
    }
  }

  /** Closes every subscriber (server shutdown). */
  closeAll(): void {
    for (const set of [...this.byTeam.values()]) {
      for (const subscriber of [...set]) subscriber.close();
    }
    this.byTeam.clear();
  }

  get size(): number {
    let n = 0;
    for (const set of this.byTeam.values()) n += set.size;
    return n;
  }
}
