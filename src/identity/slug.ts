/** Project slug and repo slug derivation (pure; DESIGN.md §4, reference §4.2 and §4.6). */

/** kebab-case: lowercase, every run outside [a-z0-9] becomes one `-`, trimmed; never empty. */
export function kebab(text: string): string {
  const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return slug === "" ? "project" : slug;
}

/** The repository name of a remote URL: last path segment, trailing `/` and `.git` dropped. */
export function repoNameFromRemote(url: string): string | null {
  let rest = url.trim().replace(/\/+$/, "").replace(/\.git$/, "");
  if (rest.includes(":") && rest.includes("@") && !/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) {
    rest = rest.slice(rest.lastIndexOf(":") + 1);
  }
  const segment = rest.split(/[/\\]/).filter(Boolean).pop();
  return segment && segment.length > 0 ? segment : null;
}

/** The project slug: from the origin remote when there is one, else the directory name. */
export function projectSlug(originUrl: string | null, directoryName: string): string {
  const fromRemote = originUrl ? repoNameFromRemote(originUrl) : null;
  return kebab(fromRemote ?? directoryName);
}

const SCP_FORM = /^(?:[^@/]+@)?[^:/]+:(?<path>.+)$/;
const URL_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(?<path>\/.*)?$/i;

/** `owner/repo` (subgroups kept, case kept) from a remote URL, or null (reference §4.6). */
export function parseRepoSlug(url: string): string | null {
  const text = url.trim();
  if (text === "" || /^file:/i.test(text)) return null;
  if (text.startsWith("/") || text.startsWith("./") || text.startsWith("../")) return null;
  let path: string | undefined;
  const asUrl = URL_FORM.exec(text);
  if (asUrl) {
    path = asUrl.groups?.path ?? "";
  } else {
    path = SCP_FORM.exec(text)?.groups?.path;
  }
  if (path === undefined) return null;
  const segments = path.replace(/^\/+|\/+$/g, "").replace(/\.git$/, "").split("/").filter(Boolean);
  return segments.length >= 2 ? segments.join("/") : null;
}

/** A repo_slug override is valid when it has a `/` and no blank `/`-separated part. */
export function isValidRepoSlugOverride(value: unknown): value is string {
  if (typeof value !== "string" || !value.includes("/")) return false;
  return value.split("/").every((part) => part.trim() !== "");
}
