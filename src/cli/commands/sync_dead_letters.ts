/** `kittify sync dead-letter list|retry|drop [EVENT_ID...|--all] [--json]`. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { UsageError, UserError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import type { DeadLetterReport, DeadLetterSelection, Outbox } from "../../store/outbox.ts";
import { printJson } from "../output.ts";

/** The outbox of the user store if it exists (nothing is created to list nothing). */
async function existingOutbox(): Promise<Outbox | null> {
  const [{ existingUserKv }, { KvOutbox }] = await Promise.all([
    load<typeof import("../../store/open.ts")>(new URL("../../store/open.ts", import.meta.url)),
    load<typeof import("../../store/kv_outbox.ts")>(
      new URL("../../store/kv_outbox.ts", import.meta.url),
    ),
  ]);
  const kv = await existingUserKv();
  return kv === null ? null : new KvOutbox(kv);
}

function selection(ids: string[], all?: boolean): DeadLetterSelection {
  if (all && ids.length > 0) throw new UsageError("give event ids or --all, not both");
  if (all) return { all: true };
  if (ids.length === 0) throw new UsageError("name the dead letters (EVENT_ID ...) or use --all");
  return { ids };
}

export function registerDeadLetters(sync: Command): void {
  const dead = sync
    .command("dead-letter")
    .description("events the server rejected 5 times, kept aside: list, retry or drop them");

  dead
    .command("list")
    .description("list the dead letters, oldest first, with every rejection reason")
    .option("--json", "print one JSON array")
    .action(async (opts: { json?: boolean }) => {
      const outbox = await existingOutbox();
      const entries = outbox ? await outbox.list(["dead"]) : [];
      if (opts.json) {
        printJson(entries.map(({ record }) => ({
          event_id: record.event_id,
          event_type: record.event_type,
          lamport_clock: record.event.lamport_clock,
          attempts: record.attempts,
          errors: record.errors,
          event: record.event,
        })));
        return;
      }
      if (entries.length === 0) {
        console.log("No dead letters.");
        return;
      }
      for (const { record } of entries) {
        console.log(
          `${ink.bold(record.event_id)} ${record.event_type} ${record.event.aggregate_id ?? ""} ` +
            `(lamport ${record.event.lamport_clock}, ${record.attempts} rejection(s))`,
        );
        for (const error of record.errors) console.log(`  - ${error}`);
      }
    });

  registerChange(dead, {
    name: "retry",
    description: "send dead letters again: back to pending, strikes reset, at their old place",
    jsonKey: "requeued",
    change: (outbox, which) => outbox.requeueDead(which),
    summary: (n) =>
      n === 0
        ? "No dead letters requeued."
        : `${ink.green("Requeued")} ${n} event(s). Each goes back to its own place in the order ` +
          "(its Lamport value), ahead of every event stored after it; `kittify sync now` sends " +
          "them.",
  });
  registerChange(dead, {
    name: "drop",
    description: "delete dead letters for good (they are never sent)",
    jsonKey: "dropped",
    change: (outbox, which) => outbox.dropDead(which),
    summary: (n) => `Dropped ${n} dead letter(s).`,
  });
}

/** `retry` and `drop`: the same selection, a different change. */
function registerChange(dead: Command, spec: {
  name: string;
  description: string;
  jsonKey: string;
  change(outbox: Outbox, which: DeadLetterSelection): Promise<DeadLetterReport>;
  summary(done: number): string;
}): void {
  dead
    .command(spec.name)
    .description(spec.description)
    .argument("[event-ids...]", `the dead letters to ${spec.name}`)
    .option("--all", "every dead letter")
    .option("--json", "print one JSON object")
    .action(async (ids: string[], opts: { all?: boolean; json?: boolean }) => {
      const which = selection(ids, opts.all);
      const outbox = await existingOutbox();
      const report = outbox
        ? await spec.change(outbox, which)
        : { done: [], missing: "ids" in which ? [...which.ids] : [] };
      if (opts.json) {
        printJson({ [spec.jsonKey]: report.done, missing: report.missing });
      } else {
        for (const id of report.missing) console.error(`not a dead letter: ${id}`);
        console.log(spec.summary(report.done.length));
      }
      if (report.missing.length > 0) {
        throw new UserError(`${report.missing.length} id(s) are not dead letters`);
      }
    });
}
