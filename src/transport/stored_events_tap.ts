/**
 * A transport that also tells who listens which events the server holds now (a `success` or a
 * `duplicate` verdict: a lost ack can make an event this process stored come back as a
 * duplicate), as they were sent. The listener cannot disturb delivery: what it throws is dropped.
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
        const status = answer.verdicts.get(entry.event_id)?.status;
        if (status !== "success" && status !== "duplicate") continue;
        try {
          this.onStored(entry);
        } catch {
          // The listener's trouble (a closed stdout, say) is not the delivery's.
        }
      }
    }
    return answer;
  }
}
