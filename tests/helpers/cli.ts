/**
 * Runs the kittify CLI as a real subprocess with exactly the compiled binary's permission flags
 * (src/cli/permissions.ts), a private KITTIFY_HOME and NO_COLOR.
 *
 * With `KITTIFY_BIN=path/to/kittify` in the environment every CLI run is that compiled binary
 * instead of `deno run main.ts`, so the same tests check what users get (embedded modules and
 * dashboard files, baked-in permissions, the KV path): `KITTIFY_BIN=dist/kittify-… deno task test`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The compiled binary under test (absolute), or undefined to run the CLI from source. */
export const KITTIFY_BIN: string | undefined = (() => {
  const bin = Deno.env.get("KITTIFY_BIN");
  return bin ? resolve(bin) : undefined;
})();

/**
 * Test options for a test that needs `deno run` (extra Deno flags such as `--deny-write`, which
 * a compiled binary cannot take): it is skipped when KITTIFY_BIN is set.
 */
export const FROM_SOURCE_ONLY: { ignore: boolean } = { ignore: KITTIFY_BIN !== undefined };

/**
 * The program and arguments that run the CLI with `args`: the binary under test, or Deno with
 * the binary's flags (plus `extraFlags`, only possible from source).
 */
export function cliArgv(args: string[], extraFlags: string[] = []): [string, ...string[]] {
  if (KITTIFY_BIN === undefined) return [Deno.execPath(), ...cliCommandArgs(args, extraFlags)];
  if (extraFlags.length > 0) {
    throw new Error(
      `extra Deno flags (${extraFlags.join(" ")}) cannot be given to the compiled binary ` +
        "KITTIFY_BIN; mark the test FROM_SOURCE_ONLY",
    );
  }
  return [KITTIFY_BIN, ...args];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  home: string;
  env?: Record<string, string>;
  /** Extra Deno flags after the binary's (e.g. `--deny-write=/repo`). */
  extraFlags?: string[];
  /** Variables of this process's environment the CLI must not see. */
  unsetEnv?: string[];
  stdin?: string;
}

export function cliCommand(args: string[], opts: CliOptions): Deno.Command {
  const [program, ...argv] = cliArgv(args, opts.extraFlags);
  return processCommand(program, argv, opts);
}

/** `deno run` arguments that run the CLI with `args` as the binary would (its flags). */
export function cliCommandArgs(args: string[], extraFlags: string[] = []): string[] {
  return scriptArgs(`${ROOT}main.ts`, args, extraFlags);
}

function scriptArgs(script: string, args: string[], extraFlags: string[]): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    `--config=${ROOT}deno.json`,
    ...BINARY_FLAGS,
    ...extraFlags,
    script,
    ...args,
  ];
}

/** Runs any Deno script of this repository the way the CLI is run (binary flags, private home). */
export function scriptCommand(script: string, args: string[], opts: CliOptions): Deno.Command {
  return processCommand(Deno.execPath(), scriptArgs(script, args, opts.extraFlags ?? []), opts);
}

function processCommand(program: string, args: string[], opts: CliOptions): Deno.Command {
  const unset = new Set(opts.unsetEnv ?? []);
  const inherited = unset.size === 0 ? {} : Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !unset.has(name)),
  );
  return new Deno.Command(program, {
    args,
    cwd: opts.cwd,
    clearEnv: unset.size > 0,
    env: { ...inherited, KITTIFY_HOME: opts.home, NO_COLOR: "1", ...(opts.env ?? {}) },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

export async function runKittify(args: string[], opts: CliOptions): Promise<CliResult> {
  const child = cliCommand(args, opts).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs the CLI and parses its stdout as JSON, failing loudly with stderr on a non-zero exit. */
export async function kittifyJson<T = unknown>(args: string[], opts: CliOptions): Promise<T> {
  const result = await runKittify(args, opts);
  if (result.code !== 0) {
    throw new Error(`kittify ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}
