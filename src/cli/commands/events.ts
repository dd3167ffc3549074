/** `kittify events [--state S] [--limit N] [--json]`: the stored events, oldest first. */
import { load } from "../../common/load.ts";
import { type CommandBuilder as Command, InvalidArgument, oneOf } from "../command_builder.ts";
import { type OutboxState, STATES } from "../../store/keys.ts";
import type { ListedEntry } from "../../store/read.ts";
import { printJsonArrayStream } from "../output.ts";

/** Parses a positive integer option value (commander turns the error into exit 2). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgument("expected a positive integer");
  }
  return n;
}

export async function readEvents(
  states: readonly OutboxState[],
  limit?: number,
): Promise<ListedEntry[]> {
  const [{ existingUserKv }, { listStates }] = await Promise.all([
    load<typeof import("../../store/open.ts")>(new URL("../../store/open.ts", import.meta.url)),
    load<typeof import("../../store/read.ts")>(new URL("../../store/read.ts", import.meta.url)),
  ]);
  const kv = await existingUserKv();
  return kv === null ? [] : await listStates(kv, states, limit);
}

/**
 * `{"state","event"}` of each stored event as JSON bytes, oldest first, one at a time: the event
 * goes out exactly as stored, never parsed.
 */
async function* streamEvents(
  states: readonly OutboxState[],
  limit?: number,
): AsyncGenerator<Uint8Array> {
  const [{ existingUserKv }, { streamStoredStates }] = await Promise.all([
    load<typeof import("../../store/open.ts")>(new URL("../../store/open.ts", import.meta.url)),
    load<typeof import("../../store/read.ts")>(new URL("../../store/read.ts", import.meta.url)),
  ]);
  const kv = await existingUserKv();
  if (kv === null) return;
  const encoder = new TextEncoder();
  const prefixes = new Map<string, Uint8Array>();
  const suffix = encoder.encode("}");
  for await (const { state, record } of streamStoredStates(kv, states, limit)) {
    let prefix = prefixes.get(state);
    if (!prefix) prefixes.set(state, prefix = encoder.encode(`{"state":"${state}","event":`));
    const item = new Uint8Array(prefix.length + record.json.length + suffix.length);
    item.set(prefix);
    item.set(record.json, prefix.length);
    item.set(suffix, prefix.length + record.json.length);
    yield item;
  }
}

async function printEventTable(entries: ListedEntry[], state?: OutboxState): Promise<void> {
  if (entries.length === 0) {
    console.log(state ? `No ${state} events.` : "No events stored.");
    return;
  }
  const { printTable } = await load<typeof import("../table.ts")>(
    new URL("../table.ts", import.meta.url),
  );
  const rows = entries.map(({ state, record: { event } }) => [
    state,
    String(event.lamport_clock),
    event.timestamp.slice(0, 23).replace("T", " "),
    event.event_type,
    event.aggregate_id,
    event.event_id,
  ]);
  const header = ["STATE", "LAMPORT", "TIME (UTC)", "TYPE", "AGGREGATE", "EVENT ID"];
  await printTable(header, rows, { flexible: 4 });
}

export function registerEvents(program: Command): void {
  program
    .command("events")
    .description("list the events stored on this machine, oldest first")
    .option(
      "--state <state>",
      `only events in this state (${STATES.join(", ")})`,
      oneOf(STATES) as (value: string) => OutboxState,
    )
    .option("--limit <n>", "show at most N events (the oldest)", positiveInt)
    .option("--json", 'print one JSON array of {"state", "event"}, one event per line')
    .action(async (opts: { state?: OutboxState; limit?: number; json?: boolean }) => {
      const states = opts.state ? [opts.state] : STATES;
      if (opts.json) {
        await printJsonArrayStream(streamEvents(states, opts.limit));
      } else {
        await printEventTable(await readEvents(states, opts.limit), opts.state);
      }
    });
}
