/**
 * The total order of events inside the view: (lamport_clock, node_id, event_id). Two servers that
 * receive the same events in any order agree on every work package's final lane.
 */

export interface OrderKey {
  lamport_clock: number;
  node_id: string;
  event_id: string;
}

/** Negative if `a` comes before `b`, positive if after, 0 for the same event. */
export function compareOrder(a: OrderKey, b: OrderKey): number {
  if (a.lamport_clock !== b.lamport_clock) return a.lamport_clock - b.lamport_clock;
  if (a.node_id !== b.node_id) return a.node_id < b.node_id ? -1 : 1;
  if (a.event_id !== b.event_id) return a.event_id < b.event_id ? -1 : 1;
  return 0;
}

/** True if `candidate` should replace `current` (which may be absent). */
export function isLater(candidate: OrderKey, current: OrderKey | null | undefined): boolean {
  return !current || compareOrder(candidate, current) > 0;
}

export function orderOf(event: OrderKey): OrderKey {
  return { lamport_clock: event.lamport_clock, node_id: event.node_id, event_id: event.event_id };
}
