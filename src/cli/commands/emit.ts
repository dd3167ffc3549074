/** `kittify emit TYPE --aggregate-id ID --payload JSON [--causation-id ULID]`: emit by hand. */
import type { CommandBuilder as Command } from "../command_builder.ts";
import type { CommandContext } from "../context.ts";
import { UserError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { aggregateTypeOf, EVENT_TYPES, isEventType } from "../../events/types.ts";
import { printJson } from "../output.ts";

interface EmitOptions {
  aggregateId: string;
  payload: string;
  causationId?: string;
  json?: boolean;
}

/** The payload option as a JSON object, or a one-line user error. */
export function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`--payload is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UserError('--payload must be a JSON object, e.g. \'{"wp_id": "WP01"}\'');
  }
  return value as Record<string, unknown>;
}

export function registerEmit(program: Command, ctx: CommandContext): void {
  program
    .command("emit")
    .description("store one event by hand (for scripts and for testing the pipeline)")
    .argument("<type>", `event type: ${EVENT_TYPES.join(", ")}`)
    .requiredOption("--aggregate-id <id>", "the WP id (WP01) or feature slug it is about")
    .requiredOption("--payload <json>", "the payload as a JSON object")
    .option("--causation-id <ulid>", "the ULID of the event that caused this one")
    .option("--json", "print the stored envelope")
    .action(async (type: string, opts: EmitOptions) => {
      if (!isEventType(type)) {
        throw new UserError(`unknown event type '${type}'`, {
          hint: `expected one of ${EVENT_TYPES.join(", ")}`,
        });
      }
      const payload = parsePayload(opts.payload);
      const { emitter } = await ctx.services.workspace(Deno.cwd());
      const outcome = await emitter.emit({
        event_type: type,
        aggregate_id: opts.aggregateId,
        aggregate_type: aggregateTypeOf(type, payload),
        payload,
        causation_id: opts.causationId ?? null,
      });
      if (outcome.status === "invalid") throw new UserError(outcome.reason);
      if (outcome.status !== "stored") {
        const reason = outcome.status === "failed" ? outcome.reason : "blocked";
        throw new UserError(`could not store the event: ${reason}`);
      }
      const event = outcome.event;
      if (opts.json) {
        printJson(event);
        return;
      }
      const state = event.project_uuid ? "pending" : "held";
      console.log(
        `${ink.green("Stored")} ${event.event_type} ${event.aggregate_id} ` +
          `(lamport ${event.lamport_clock}, ${state}) ${ink.dim(event.event_id)}`,
      );
    });
}
