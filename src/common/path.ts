/**
 * Path functions of this platform. On POSIX systems they are kittify's own (./posix_path.ts:
 * Node's results, without starting Deno's Node layer, ~15 ms of every command's start-up); on
 * Windows they are Node's `path/win32`, loaded alone.
 */
import * as posix from "./posix_path.ts";

// Not a literal, so `deno run` never loads node:path/win32 ahead (load.ts).
const win32 = "node:path/win32";
const flavour: typeof posix = Deno.build.os === "windows" ? await import(win32) : posix;

export const { basename, dirname, isAbsolute, join, relative, resolve, sep } = flavour;
