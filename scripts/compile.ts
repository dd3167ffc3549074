/**
 * `deno task compile [--out-dir DIR] [target...]`: one self-contained binary per platform in
 * `dist/` (or DIR), with the permission flags of src/cli/permissions.ts baked in. Without targets
 * it builds every one. `deno compile` downloads the Deno runtime of each target (once, from
 * dl.deno.land); where that download is impossible this fails with one line saying so.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";
import { VERSION } from "../src/cli/version.ts";

export const TARGETS = {
  "x86_64-unknown-linux-gnu": "linux-x64",
  "aarch64-unknown-linux-gnu": "linux-arm64",
  "x86_64-apple-darwin": "macos-x64",
  "aarch64-apple-darwin": "macos-arm64",
  "x86_64-pc-windows-msvc": "windows-x64",
} as const;

export type Target = keyof typeof TARGETS;
export type Platform = typeof TARGETS[Target];

/** The file name `deno task compile` gives the binary of `platform`. */
export function binaryName(version: string, platform: string): string {
  return `kittify-${version}-${platform}${platform.startsWith("windows") ? ".exe" : ""}`;
}

/** `deno compile` arguments for `target`; `outDir` ends with a separator (default `<root>dist/`). */
export function compileArgs(target: Target, root: string, outDir = `${root}dist/`): string[] {
  return [
    "compile",
    "--quiet",
    `--config=${root}deno.json`,
    ...BINARY_FLAGS,
    "--target",
    target,
    "--output",
    `${outDir}${binaryName(VERSION, TARGETS[target])}`,
    // Modules are imported with specifiers that are not literals (src/common/load.ts): embed
    // every module of src/ so the binary has them all.
    "--include",
    `${root}src`,
    `${root}main.ts`,
  ];
}

// deno prints its errors in colour even into a pipe.
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * When `deno compile` failed because it could not download the target's runtime (denort), one
 * line saying so and what to do; undefined for any other failure (then deno's own output is
 * the best explanation).
 */
export function runtimeDownloadFailure(stderr: string, target: string): string | undefined {
  const text = stderr.replace(ANSI, "");
  const url = text.match(/https?:\/\/\S*denort-[^\s)]*/)?.[0];
  if (!url && !/Setting up base binary/.test(text)) return undefined;
  // The innermost cause is the most specific ("dns error", "Connection refused (os error 111)").
  const chain = text.split(/^Stack backtrace:/m)[0];
  const causes = [...chain.matchAll(/^\s*\d+: (.+)$/gm)].map((m) => m[1].trim());
  const cause = causes.at(-1) ?? "download failed";
  return `error: deno compile could not download the Deno runtime for ${target}` +
    `${url ? ` (${url})` : ""}: ${cause}; compiling needs that download once per target and ` +
    "Deno version, so compile where dl.deno.land is reachable (the release workflow does, " +
    "in GitHub Actions)";
}

function parseArgs(args: string[]): { outDir?: string; targets: string[] } {
  const targets: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out-dir" && args[i + 1] !== undefined) outDir = args[++i];
    else if (args[i].startsWith("--out-dir=")) outDir = args[i].slice("--out-dir=".length);
    else targets.push(args[i]);
  }
  return { outDir, targets };
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const parsed = parseArgs(Deno.args);
  const outDir = parsed.outDir === undefined
    ? `${root}dist/`
    : `${resolve(parsed.outDir)}${Deno.build.os === "windows" ? "\\" : "/"}`;
  const wanted = (parsed.targets.length ? parsed.targets : Object.keys(TARGETS)) as Target[];
  for (const target of wanted) {
    if (!(target in TARGETS)) {
      console.error(
        `error: unknown target ${target}; expected one of ${Object.keys(TARGETS).join(", ")}`,
      );
      Deno.exit(2);
    }
  }
  for (const target of wanted) {
    console.error(`compiling kittify ${VERSION} for ${target}`);
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, root, outDir),
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      const text = new TextDecoder().decode(stderr);
      const why = runtimeDownloadFailure(text, target);
      if (why) console.error(why);
      else await Deno.stderr.write(stderr);
      Deno.exit(why ? 1 : code);
    }
  }
}
