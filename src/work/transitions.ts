/**
 * Which lane changes are legal (reference §2.5): the 16 pairs of the status model, plus the
 * `implement` shortcut planned → in_progress. Anything else needs force with a reason; leaving
 * a terminal lane always does.
 */
import { type Lane, TERMINAL_LANES } from "./lanes.ts";

const LEGAL_PAIRS: readonly (readonly [Lane, Lane])[] = [
  ["planned", "claimed"],
  ["claimed", "in_progress"],
  ["in_progress", "for_review"],
  ["for_review", "done"],
  ["for_review", "in_progress"],
  ["in_progress", "planned"],
  ["planned", "blocked"],
  ["claimed", "blocked"],
  ["in_progress", "blocked"],
  ["for_review", "blocked"],
  ["blocked", "in_progress"],
  ["planned", "canceled"],
  ["claimed", "canceled"],
  ["in_progress", "canceled"],
  ["for_review", "canceled"],
  ["blocked", "canceled"],
];

const LEGAL = new Set(LEGAL_PAIRS.map(([from, to]) => `${from}>${to}`));

/** The one shortcut besides the 16 pairs, taken only by `implement`. */
export const IMPLEMENT_SHORTCUT = { from: "planned", to: "in_progress" } as const satisfies {
  from: Lane;
  to: Lane;
};

/** Whether `from → to` is one of the 16 pairs of the status model. */
export function isLegalTransition(from: Lane, to: Lane): boolean {
  return LEGAL.has(`${from}>${to}`);
}

/** Every legal target from `from` (without the implement shortcut), for hints. */
export function legalTargets(from: Lane): Lane[] {
  return LEGAL_PAIRS.filter(([f]) => f === from).map(([, to]) => to);
}

/**
 * Why `from → to` is not allowed without `--force --reason`, or null when it is allowed.
 */
export function transitionProblem(from: Lane, to: Lane): string | null {
  if (isLegalTransition(from, to)) return null;
  if (TERMINAL_LANES.has(from)) {
    return `${from} is a terminal lane: leaving it needs --force --reason TEXT`;
  }
  const targets = legalTargets(from);
  return `${from} → ${to} is not an allowed transition (from ${from}: ${targets.join(", ")}); ` +
    "use --force --reason TEXT to override";
}
