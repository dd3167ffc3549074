/**
 * Changes the lane of one work package file. The decision is taken under an exclusive lock from
 * the file as it is on disk at that moment, so concurrent commands never both make the same
 * change (and never both emit it). The new file replaces the old one atomically.
 */
import { UserError } from "../common/errors.ts";
import { lockedUpdate } from "../identity/locked_update.ts";
import { FrontmatterError, setFrontmatterValue } from "./frontmatter.ts";
import type { Lane } from "./lanes.ts";
import { isProblem, parseWorkPackage, type WorkPackage } from "./work_package.ts";

export interface LaneChange {
  /** The work package as it was when the decision was taken. */
  before: WorkPackage;
  to: Lane;
  changed: boolean;
}

/**
 * Decides the new lane from the current state: a lane, or null for "leave it as it is". May
 * throw a UserError (e.g. the transition is not allowed); then nothing is written.
 */
export type LaneDecision = (current: WorkPackage) => Lane | null;

/**
 * Changes the lane under the file's lock. `beforeWrite` runs under the lock when the lane does
 * change, before the file is replaced (the write-ahead intent of the event).
 */
export async function changeLane(
  path: string,
  decide: LaneDecision,
  beforeWrite?: (change: LaneChange) => Promise<void>,
): Promise<LaneChange> {
  let result: LaneChange | undefined;
  await lockedUpdate(path, async (text) => {
    if (text === null) throw new UserError(`${path} no longer exists`);
    const current = parseWorkPackage(path, text);
    if (isProblem(current)) throw new FrontmatterError(`${path}: ${current.reason}`);
    const to = decide(current);
    if (to === null || to === current.lane) {
      result = { before: current, to: current.lane, changed: false };
      return null;
    }
    result = { before: current, to, changed: true };
    return await setFrontmatterValue(text, "lane", to);
  }, beforeWrite && (() => beforeWrite(result!)));
  if (!result) throw new Error(`no lane decision was taken for ${path}`);
  return result;
}
