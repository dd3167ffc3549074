/** Work-package lanes at the input boundary (DESIGN.md §6, reference §2.4). */
import { UserError } from "../common/errors.ts";
import { type Lane, LANES } from "../events/types.ts";

export { type Lane, LANES };

/** Lanes a work package never leaves without `--force`. */
export const TERMINAL_LANES: ReadonlySet<Lane> = new Set<Lane>(["done", "canceled"]);

/** Input spellings that mean a canonical lane; they are never written into events. */
const ALIASES: Readonly<Record<string, Lane>> = { doing: "in_progress" };

/** The canonical lane for user or file input (trimmed, case-insensitive, aliases resolved). */
export function parseLane(input: string): Lane | null {
  const text = input.trim().toLowerCase();
  if ((LANES as readonly string[]).includes(text)) return text as Lane;
  return ALIASES[text] ?? null;
}

/** Lists the accepted spellings, for error messages. */
export function laneChoices(): string {
  return `${LANES.join(", ")} (or ${Object.keys(ALIASES).join(", ")})`;
}

/** A lane named on the command line; a user error listing the choices otherwise. */
export function laneArgument(input: string): Lane {
  const lane = parseLane(input);
  if (lane === null) throw new UserError(`unknown lane '${input}'`, { hint: laneChoices() });
  return lane;
}
