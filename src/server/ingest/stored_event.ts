/** What the store keeps for each accepted event, under `["events", team, event_id]`. */
export interface StoredEvent {
  /**
   * The envelope as received, as JSON: text, or UTF-8 bytes for an envelope over 30 KiB
   * characters (as a string it could exceed Deno KV's 64 KiB value limit: V8 stores a string with
   * any character above U+00FF as UTF-16). Read it with {@link envelopeJson}.
   */
  envelope: string | Uint8Array;
  /** The team whose credentials delivered it. */
  team: string;
  /** Server time of arrival, ISO-8601 UTC. */
  received_at: string;
}

/** The stored envelope's JSON text. */
export function envelopeJson(stored: StoredEvent): string {
  return typeof stored.envelope === "string"
    ? stored.envelope
    : new TextDecoder().decode(stored.envelope);
}
