/**
 * Parsers of option values that commander reports as usage errors (exit 2, "option '--to
 * <lane>' argument 'bogus' is invalid. …") before any work starts, like every other bad value.
 */
import { HISTORY_ENTRY_TYPES } from "../work/events.ts";
import { type Lane, laneChoices, parseLane } from "../work/lanes.ts";
import { InvalidArgument } from "./command_builder.ts";

/** A lane (any accepted spelling, e.g. `doing`), as the lane it names. */
export function laneValue(value: string): Lane {
  const lane = parseLane(value);
  if (lane === null) throw new InvalidArgument(`Expected a lane: ${laneChoices()}.`);
  return lane;
}

/** A note type: note, review or comment (any case). */
export function noteTypeValue(value: string): string {
  const type = value.trim().toLowerCase();
  if (!(HISTORY_ENTRY_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgument(`Expected one of ${HISTORY_ENTRY_TYPES.join(", ")}.`);
  }
  return type;
}

/** A feature number, 1 to 999. */
export function featureNumberValue(value: string): string {
  const text = value.trim();
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1) {
    throw new InvalidArgument("Expected a number from 1 to 999.");
  }
  return text;
}
