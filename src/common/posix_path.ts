/**
 * POSIX path functions with the results of Node's `path.posix` (tests/common/posix_path_test.ts
 * compares the two on thousands of generated paths). They are written here because every path
 * library on hand costs start-up time on each command: `node:path/posix` starts Deno's Node layer
 * (~15 ms), and the npm libraries read `globalThis.process`, which starts it too (~29 ms).
 */

export const sep = "/";

/**
 * The segments of `path` with `.` dropped and each `..` taking away the segment before it;
 * a `..` with nothing before it is kept when `keepAboveRoot` (a relative path), else dropped.
 */
function normalizedSegments(path: string, keepAboveRoot: boolean): string[] {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") {
      out.push(segment);
    } else if (out.length > 0 && out[out.length - 1] !== "..") {
      out.pop();
    } else if (keepAboveRoot) {
      out.push("..");
    }
  }
  return out;
}

export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

export function normalize(path: string): string {
  if (path === "") return ".";
  const absolute = isAbsolute(path);
  let body = normalizedSegments(path, !absolute).join("/");
  if (body === "" && !absolute) body = ".";
  if (body !== "" && path.endsWith("/")) body += "/";
  return absolute ? `/${body}` : body;
}

export function join(...paths: string[]): string {
  const joined = paths.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** The absolute path of `paths` taken from right to left, relative to the working directory. */
export function resolve(...paths: string[]): string {
  let resolved = "";
  for (let i = paths.length - 1; i >= -1 && !isAbsolute(resolved); i--) {
    const path = i >= 0 ? paths[i] : Deno.cwd();
    if (path !== "") resolved = resolved === "" ? path : `${path}/${resolved}`;
  }
  return `/${normalizedSegments(resolved, false).join("/")}`;
}

/** The path from `from` to `to` (both resolved first); "" when they are the same. */
export function relative(from: string, to: string): string {
  const a = normalizedSegments(resolve(from), false);
  const b = normalizedSegments(resolve(to), false);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...Array(a.length - common).fill(".."), ...b.slice(common)].join("/");
}

/** All but the last segment, as written (a doubled slash before the last segment is kept). */
export function dirname(path: string): string {
  if (path === "") return ".";
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  const slash = path.lastIndexOf("/", end - 1);
  if (slash <= 0) return path.startsWith("/") ? "/" : ".";
  return slash === 1 && path.startsWith("//") ? "//" : path.slice(0, slash);
}

/** The last segment of `path` (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === "/") end--;
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}
