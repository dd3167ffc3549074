/** Building an envelope from its parts (pure). The Lamport value is assigned by the store. */
import type { AggregateType, Envelope, EventType } from "./types.ts";

/** What a caller provides for one event. */
export interface EventInput {
  event_type: string;
  aggregate_id: string;
  aggregate_type: AggregateType;
  payload: Record<string, unknown>;
  causation_id?: string | null;
}

/** Everything else an envelope carries, resolved by the emitter. */
export interface EnvelopeContext {
  eventId: string;
  nodeId: string;
  timestamp: string;
  teamSlug: string;
  project: { uuid: string; slug: string; repoSlug: string | null } | null;
  git: { git_branch: string | null; head_commit_sha: string | null };
}

/** The 15-key envelope in canonical key order, with `lamport_clock` 0 until it is stored. */
export function buildEnvelope(input: EventInput, ctx: EnvelopeContext): Envelope {
  return {
    event_id: ctx.eventId,
    event_type: input.event_type as EventType,
    aggregate_id: input.aggregate_id,
    aggregate_type: input.aggregate_type,
    payload: input.payload,
    node_id: ctx.nodeId,
    lamport_clock: 0,
    causation_id: input.causation_id ?? null,
    timestamp: ctx.timestamp,
    team_slug: ctx.teamSlug,
    project_uuid: ctx.project?.uuid ?? null,
    project_slug: ctx.project?.slug ?? null,
    git_branch: ctx.git.git_branch,
    head_commit_sha: ctx.git.head_commit_sha,
    repo_slug: ctx.project?.repoSlug ?? null,
  };
}
