/** Per-event outcomes, as the batch endpoint returns them and the WebSocket acks them. */

export type EventStatus = "success" | "duplicate" | "rejected";

export interface EventResult {
  /** The event's id as sent (null when the item had none). */
  event_id: string | null;
  status: EventStatus;
  /** Why a rejected event was rejected. */
  error?: string;
}

/**
 * One result as the batch endpoint writes it. A rejection carries its reason as `error_message`
 * (what the contract names) and as `error` (what the original's fixture 04 shows); the
 * spec-kitty client reads either.
 */
export function batchResultJson(result: EventResult): Record<string, unknown> {
  if (result.status !== "rejected") return { event_id: result.event_id, status: result.status };
  return {
    event_id: result.event_id,
    status: result.status,
    error: result.error,
    error_message: result.error,
  };
}

/** The reason given to another team's event for a project that is not theirs. */
export function ownershipError(team: string): string {
  return `Invalid schema: project_uuid authorization check failed for team '${team}'`;
}
