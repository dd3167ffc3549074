/** What the store keeps for each accepted event, under `["events", event_id]`. */
export interface StoredEvent {
  /**
   * The envelope as received, as UTF-8 JSON (bytes, so that an envelope within the 60 KiB event
   * limit always fits Deno KV's 64 KiB value limit, whatever characters it holds).
   */
  envelope: Uint8Array;
  /** The team whose credentials delivered it. */
  team: string;
  /** Server time of arrival, ISO-8601 UTC. */
  received_at: string;
}
