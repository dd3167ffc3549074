/**
 * Reading what the user types: a visible line, a hidden line (raw mode, no echo) for passwords,
 * or one line piped on stdin (`--password-stdin`, `serve user add`).
 */
import { UserError } from "./errors.ts";

/** One line piped on stdin: the final newline is dropped; more than one line is refused. */
export async function readPipedLine(what: string): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  const line = text.replace(/\r?\n$/, "");
  if (line.includes("\n")) {
    throw new UserError(`stdin holds more than one line; pipe exactly the ${what}`);
  }
  if (line === "") throw new UserError(`stdin holds no ${what}; pipe the ${what} on one line`);
  return line;
}

const CTRL_C = 3;
const CTRL_D = 4;
const BACKSPACE = [8, 127];
const ENTER = [10, 13];

/** Lines typed on the terminal. Bytes after a line wait for the next prompt. */
export class TerminalInput {
  private pending: number[] = [];

  /** Asks `question` on stderr and reads one line; `hidden` turns echo off while typing. */
  async prompt(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    const encoder = new TextEncoder();
    // Echo goes off before the question appears, so nothing typed after it can show.
    if (options.hidden) Deno.stdin.setRaw(true);
    try {
      await Deno.stderr.write(encoder.encode(question));
      return await this.line(options.hidden ?? false);
    } finally {
      if (options.hidden) {
        Deno.stdin.setRaw(false);
        await Deno.stderr.write(encoder.encode("\n"));
      }
    }
  }

  private async line(raw: boolean): Promise<string> {
    const bytes: number[] = [];
    for (;;) {
      if (this.pending.length === 0 && !(await this.fill())) break;
      const byte = this.pending.shift()!;
      if (raw && byte === CTRL_C) throw new UserError("cancelled");
      if ((raw && byte === CTRL_D) || ENTER.includes(byte)) break;
      if (raw && BACKSPACE.includes(byte)) {
        // Drop one UTF-8 character: its continuation bytes, then its lead byte.
        while (bytes.length > 0 && (bytes[bytes.length - 1] & 0xc0) === 0x80) bytes.pop();
        bytes.pop();
      } else {
        bytes.push(byte);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }

  private async fill(): Promise<boolean> {
    const buffer = new Uint8Array(256);
    const n = await Deno.stdin.read(buffer);
    if (n === null) return false;
    this.pending.push(...buffer.subarray(0, n));
    return true;
  }
}

/**
 * The password for `kittify serve user add`: from stdin when it is piped, or from a hidden
 * prompt (asked twice) when stdin is a terminal.
 */
export async function readNewPassword(): Promise<string> {
  if (!Deno.stdin.isTerminal()) return await readPipedLine("password");
  const terminal = new TerminalInput();
  const first = await terminal.prompt("Password: ", { hidden: true });
  const second = await terminal.prompt("Repeat password: ", { hidden: true });
  if (first !== second) throw new UserError("the passwords do not match");
  return first;
}
