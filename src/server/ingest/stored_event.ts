/** What the store keeps for each accepted event, under `["events", event_id]`. */
export interface StoredEvent {
  /** The envelope exactly as received, as JSON text. */
  envelope: string;
  /** The team whose credentials delivered it. */
  team: string;
  /** Server time of arrival, ISO-8601 UTC. */
  received_at: string;
}
