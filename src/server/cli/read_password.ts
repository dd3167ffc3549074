/**
 * The password for `kittify serve user add`: from stdin when it is piped (one line; the final
 * newline is dropped), or from a hidden prompt (asked twice) when stdin is a terminal.
 */
import { UserError } from "../../common/errors.ts";

export async function readPassword(): Promise<string> {
  if (!Deno.stdin.isTerminal()) return await readPipedPassword();
  const first = await promptHidden("Password: ");
  const second = await promptHidden("Repeat password: ");
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

/** Reads one line from the terminal without echoing it. Ctrl-C aborts. */
async function promptHidden(prompt: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(prompt));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const text = () => new TextDecoder().decode(new Uint8Array(bytes));
  const buffer = new Uint8Array(64);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return text();
      for (const byte of buffer.subarray(0, n)) {
        if (byte === 3) throw new UserError("cancelled");
        if (byte === 13 || byte === 10) return text();
        if (byte === 127 || byte === 8) {
          // Drop one UTF-8 character: its continuation bytes, then its lead byte.
          while (bytes.length > 0 && (bytes[bytes.length - 1] & 0xc0) === 0x80) bytes.pop();
          bytes.pop();
        } else {
          bytes.push(byte);
        }
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
}
