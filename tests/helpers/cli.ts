/**
 * Runs the kittify CLI as a real subprocess with exactly the compiled binary's permission flags
 * (src/cli/permissions.ts), a private KITTIFY_HOME and NO_COLOR.
 */
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

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
  return scriptCommand(`${ROOT}main.ts`, args, opts);
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
  const unset = new Set(opts.unsetEnv ?? []);
  const inherited = unset.size === 0 ? {} : Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !unset.has(name)),
  );
  return new Deno.Command(Deno.execPath(), {
    args: scriptArgs(script, args, opts.extraFlags ?? []),
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
