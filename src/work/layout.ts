/** Where features and work packages live in a repository (DESIGN.md §3). */
import { join } from "../common/path.ts";

export const SPECS_DIR = "kitty-specs";

export function specsDir(root: string): string {
  return join(root, SPECS_DIR);
}

export function featureDir(root: string, feature: string): string {
  return join(root, SPECS_DIR, feature);
}

export function tasksDir(root: string, feature: string): string {
  return join(root, SPECS_DIR, feature, "tasks");
}
