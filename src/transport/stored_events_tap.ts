/**
 * A transport that also tells who listens which events the server has just stored (a `success`
 * verdict; a duplicate was stored before, by someone else), as they were sent.
 */
import type { PendingEntry } from "../store/outbox.ts";
import type { DeliveryAnswer, EventTransport } from "./event_transport.ts";

export class StoredEventsTap implements EventTransport {
  constructor(
    private readonly inner: EventTransport,
    private readonly onStored: (entry: PendingEntry) => void,
  ) {}

  async send(
    entries: readonly PendingEntry[],
    access: string,
    signal?: AbortSignal,
  ): Promise<DeliveryAnswer> {
    const answer = await this.inner.send(entries, access, signal);
    if (answer.kind === "results") {
      for (const entry of entries) {
        if (answer.verdicts.get(entry.event_id)?.status === "success") this.onStored(entry);
      }
    }
    return answer;
  }
}
