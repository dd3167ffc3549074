/**
 * The password for `kittify serve user add`: from stdin when it is piped (one line; the final
 * newline is dropped), or from a hidden prompt (asked twice) when stdin is a terminal.
 */
import { UserError } from "../../common/errors.ts";

export async function readPassword(): Promise<string> {
  if (!Deno.stdin.isTerminal()) return await readPipedPassword();
  const terminal = new HiddenInput();
  const first = await terminal.prompt("Password: ");
  const second = await terminal.prompt("Repeat password: ");
  if (first !== second) throw new UserError("the passwords do not match");
  return first;
}

async function readPipedPassword(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  const line = text.replace(/\r?\n$/, "");
  if (line.includes("\n")) {
    throw new UserError("stdin holds more than one line; pipe exactly the password");
  }
  return line;
}

const CTRL_C = 3;
const CTRL_D = 4;
const BACKSPACE = [8, 127];
const ENTER = [10, 13];

/** Lines typed on the terminal in raw mode, without echo. Bytes after a line wait for the next. */
class HiddenInput {
  private pending: number[] = [];

  async prompt(question: string): Promise<string> {
    const encoder = new TextEncoder();
    // Echo goes off before the question appears, so nothing typed after it can show.
    Deno.stdin.setRaw(true);
    try {
      await Deno.stderr.write(encoder.encode(question));
      return await this.line();
    } finally {
      Deno.stdin.setRaw(false);
      await Deno.stderr.write(encoder.encode("\n"));
    }
  }

  private async line(): Promise<string> {
    const bytes: number[] = [];
    for (;;) {
      if (this.pending.length === 0 && !(await this.fill())) break;
      const byte = this.pending.shift()!;
      if (byte === CTRL_C) throw new UserError("cancelled");
      if (byte === CTRL_D || ENTER.includes(byte)) break;
      if (BACKSPACE.includes(byte)) {
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
