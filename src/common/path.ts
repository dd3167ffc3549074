/**
 * Path functions of this platform: Node's `path/posix` or `path/win32`, whichever `node:path`
 * would pick, loading only that one. `node:path` loads both and more (~30 ms of start-up on this
 * project's machines against ~15 ms for one flavour), on every command's path.
 */
const flavour: typeof import("node:path/posix") = await import(
  Deno.build.os === "windows" ? "node:path/win32" : "node:path/posix"
);

export const { basename, dirname, isAbsolute, join, relative, resolve, sep } = flavour;
