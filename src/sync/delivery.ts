/**
 * The seam for network delivery (WebSocket live sends, HTTP batches), which a later issue
 * implements. The runtime creates one `Delivery` per process when auto-start is enabled; until
 * a factory is installed, nothing is sent and events simply wait in the outbox.
 */
import type { Envelope } from "../events/types.ts";
import type { SyncConfig } from "./config.ts";

export interface Delivery {
  /** A new event was stored as `pending`. Must return at once (no awaiting the network). */
  notify(event: Envelope): void;
  /** End of the command: one bounded delivery attempt, then release sockets and timers. */
  close(): Promise<void>;
}

/** What a delivery implementation gets to work with. */
export interface DeliveryContext {
  kv: Deno.Kv;
  config: SyncConfig;
}

export type DeliveryFactory = (ctx: DeliveryContext) => Delivery;

/** Delivers nothing: events stay in the outbox (offline mode, auto_start false). */
export const NO_DELIVERY: Delivery = {
  notify() {},
  close: () => Promise.resolve(),
};

let factory: DeliveryFactory = () => NO_DELIVERY;

/** Installs the network delivery used by runtimes created from now on. */
export function setDeliveryFactory(next: DeliveryFactory): void {
  factory = next;
}

export function createDelivery(ctx: DeliveryContext): Delivery {
  return factory(ctx);
}
