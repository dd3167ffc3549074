/**
 * Work-package ids and feature slugs (reference §2.2). Events carry `WPnn` (exactly two digits),
 * so a feature holds at most 99 trackable work packages; files with longer numbers are still
 * read and listed, but never announced or moved.
 */
import { nameSlug } from "../events/name_slug.ts";

export { isFeatureSlug, nameSlug } from "../events/name_slug.ts";
export const WP_ID_PATTERN = /^WP\d{2}$/;
export const MAX_TRACKABLE_WP = 99;

/** A WP id as the user may type it: `WP01`, `wp1`, `01`, `7`, `WP01-some-title`. */
export function parseWpId(input: string): string | null {
  const match = /^(?:wp)?(\d{1,3})(?:-.*)?$/i.exec(input.trim());
  if (!match) return null;
  const n = Number(match[1]);
  return n >= 1 ? wpIdOf(n) : null;
}

/** The id of work package number `n`: `WP01` … `WP99`, then `WP100` … */
export function wpIdOf(n: number): string {
  return `WP${String(n).padStart(2, "0")}`;
}

export function wpNumber(id: string): number {
  return Number(id.slice(2));
}

/** True for ids that fit the event format (`WP01`–`WP99`). */
export function isTrackableWpId(id: string): boolean {
  return WP_ID_PATTERN.test(id);
}

/** The WP id a task file name starts with (`WP07-title.md` → `WP07`), or null. */
export function wpIdFromFileName(name: string): string | null {
  const match = /^WP(\d{2,3})(?:-[^/\\]*)?\.md$/i.exec(name);
  return match ? wpIdOf(Number(match[1])) : null;
}

/** `WPnn-<title-slug>.md`; the slug part is capped so file names stay short. */
export function wpFileName(id: string, title: string): string {
  return `${id}-${nameSlug(title, "task")}.md`;
}

/** `NNN-<name-slug>` for feature number `n`. */
export function featureSlugOf(n: number, name: string): string {
  return `${String(n).padStart(3, "0")}-${nameSlug(name, "feature")}`;
}

export function featureNumberOf(slug: string): string {
  return slug.slice(0, 3);
}
