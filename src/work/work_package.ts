/** A work package as read from its task file (pure: path and text in, model out). */
import { basename } from "../common/path.ts";
import { readFrontmatter } from "./frontmatter.ts";
import { parseWpId, wpIdFromFileName } from "./ids.ts";
import { type Lane, parseLane } from "./lanes.ts";

export interface WorkPackage {
  /** `WPnn`, from the file name. */
  id: string;
  title: string;
  lane: Lane;
  /** Normalised `WPnn` ids this work package waits for. */
  dependencies: string[];
  /** Absolute path of the task file. */
  path: string;
}

/** A task file that could not be read as a work package, and why. */
export interface WorkPackageProblem {
  path: string;
  id: string | null;
  reason: string;
}

function titleFromFileName(name: string): string {
  return name.replace(/\.md$/i, "").replace(/^WP\d+-?/i, "").replaceAll("-", " ").trim();
}

function dependencyList(value: unknown): string[] | string {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : null;
  if (items === null) return "dependencies is not a list";
  const ids: string[] = [];
  for (const item of items) {
    const id = typeof item === "string" || typeof item === "number"
      ? parseWpId(String(item))
      : null;
    if (id === null) return `dependency '${String(item)}' is not a work package id`;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Reads a task file. The id comes from the file name; a missing lane means `planned`, a missing
 * title is taken from the file name.
 */
export function parseWorkPackage(path: string, text: string): WorkPackage | WorkPackageProblem {
  const id = wpIdFromFileName(basename(path));
  if (id === null) return { path, id, reason: "the file name does not start with WPnn-" };
  let data: Record<string, unknown>;
  try {
    data = readFrontmatter(text);
  } catch (err) {
    return { path, id, reason: (err as Error).message };
  }
  const rawLane = data.lane ?? "planned";
  const lane = typeof rawLane === "string" ? parseLane(rawLane) : null;
  if (lane === null) return { path, id, reason: `unknown lane '${String(rawLane)}'` };
  const dependencies = dependencyList(data.dependencies);
  if (typeof dependencies === "string") return { path, id, reason: dependencies };
  const rawTitle = typeof data.title === "number" ? String(data.title) : data.title;
  const title = typeof rawTitle === "string" && rawTitle.trim() !== ""
    ? rawTitle.trim()
    : titleFromFileName(basename(path)) || id;
  return { id, title, lane, dependencies, path };
}

export function isProblem(
  value: WorkPackage | WorkPackageProblem,
): value is WorkPackageProblem {
  return "reason" in value;
}
