/** `kittify sync watch` as a subprocess, with its output collected line by line. */
import { cliCommand } from "./cli.ts";
import type { SyncClientBox } from "./sync_client.ts";

export interface Watcher {
  stdout: () => string[];
  stderr: () => string[];
  /** Waits (at most `ms`) until `test` holds for the lines seen so far. */
  until(test: () => boolean, what: string, ms?: number): Promise<void>;
  /** SIGINT, then the exit code. */
  interrupt(): Promise<number>;
  kill(): Promise<void>;
}

export function startWatch(
  client: SyncClientBox,
  json = false,
  env: Record<string, string> = {},
): Watcher {
  const child = cliCommand(["sync", "watch", ...(json ? ["--json"] : [])], {
    cwd: client.repo,
    home: client.home,
    env,
  }).spawn();
  const out: string[] = [];
  const err: string[] = [];
  const collect = (stream: ReadableStream<Uint8Array>, into: string[]) =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({
        write: (chunk) => void into.push(...chunk.split("\n").filter(Boolean)),
      }),
    );
  const done = Promise.all([collect(child.stdout, out), collect(child.stderr, err)]);
  const until = async (test: () => boolean, what: string, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\nstdout: ${out.join("\n")}\nstderr: ${err.join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    stdout: () => out,
    stderr: () => err,
    until,
    interrupt: async () => {
      child.kill("SIGINT");
      const { code } = await child.status;
      await done;
      return code;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await child.status;
      await done.catch(() => {});
    },
  };
}

/** The watcher said it is connected. */
export const connected = (w: Watcher) => () => w.stderr().some((l) => l.startsWith("connected"));
