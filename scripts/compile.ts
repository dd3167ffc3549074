/**
 * `deno task compile [target...]`: one self-contained binary per platform in `dist/`, with the
 * permission flags of src/cli/permissions.ts baked in. Without arguments it builds every target.
 * (Cross-compiling downloads the target's runtime, so it needs network access to dl.deno.land.)
 */
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

export function compileArgs(target: Target, root: string): string[] {
  const exe = target.includes("windows") ? ".exe" : "";
  return [
    "compile",
    "--quiet",
    `--config=${root}deno.json`,
    ...BINARY_FLAGS,
    "--target",
    target,
    "--output",
    `${root}dist/kittify-${VERSION}-${TARGETS[target]}${exe}`,
    // Modules are imported with specifiers that are not literals (src/common/load.ts): embed
    // every module of src/ so the binary has them all.
    "--include",
    `${root}src`,
    `${root}main.ts`,
  ];
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const wanted = (Deno.args.length ? Deno.args : Object.keys(TARGETS)) as Target[];
  for (const target of wanted) {
    if (!(target in TARGETS)) {
      console.error(`unknown target ${target}; expected one of ${Object.keys(TARGETS).join(", ")}`);
      Deno.exit(2);
    }
    console.error(`compiling kittify ${VERSION} for ${target}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target, root),
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) Deno.exit(code);
  }
}
