/**
 * A real `kittify serve` subprocess (the binary's permission flags) on a free loopback port, with
 * its store on disk. Users are seeded into the store file before it starts, with one password
 * hash computed once per test module (600,000 PBKDF2 rounds are slow to repeat). The store can be
 * read while the server runs, to see what it holds.
 */
import { join } from "node:path";
import { hashPassword, type PasswordHash } from "../../src/server/auth/password.ts";
import type { UserRecord } from "../../src/server/auth/users.ts";
import { envelopeJson, type StoredEvent } from "../../src/server/ingest/stored_event.ts";
import { projectRowKey, userKey } from "../../src/server/storage/kv/keys.ts";
import type { ProjectRow } from "../../src/server/view/rows.ts";
import type { Envelope } from "../../src/events/types.ts";
import { cliCommand } from "./cli.ts";
import { removeTree, tempDir } from "./fs.ts";

export const SERVE_PASSWORD = "correct horse battery";

let sharedHash: Promise<PasswordHash> | undefined;

export interface ServeUser {
  username: string;
  team: string;
}

export interface RunningServe {
  url: string;
  dataPath: string;
  /** The events the server stored, by event_id. */
  storedEvents(): Promise<Map<string, { event: Envelope; team: string }>>;
  /** The project row of the materialised view (event_count counts stored events). */
  projectRow(team: string, project: string): Promise<ProjectRow | null>;
  /** Stops the server (SIGTERM) and removes its folder. */
  close(): Promise<void>;
  /** Stops the server (SIGTERM) but keeps its store, for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** The server's stderr so far (request log). */
  log(): string;
}

async function readStore<T>(path: string, read: (kv: Deno.Kv) => Promise<T>): Promise<T> {
  const kv = await Deno.openKv(path);
  try {
    return await read(kv);
  } finally {
    kv.close();
  }
}

export interface ServeOptions {
  /** Serve https/wss with these PEM files (`--tls-cert`, `--tls-key`). */
  tls?: { certFile: string; keyFile: string };
}

export async function startServe(
  users: ServeUser[],
  options: ServeOptions = {},
): Promise<RunningServe> {
  const dir = await tempDir("kittify-serve-");
  const dataPath = join(dir, "server.kv");
  sharedHash ??= hashPassword(SERVE_PASSWORD);
  const password = await sharedHash;
  await readStore(dataPath, async (kv) => {
    for (const user of users) {
      const record: UserRecord = { ...user, password, created_at: new Date().toISOString() };
      await kv.set(userKey(user.username), record);
    }
  });
  let stderr = "";
  const extra = options.tls
    ? ["--tls-cert", options.tls.certFile, "--tls-key", options.tls.keyFile]
    : [];
  const spawn = (port: string) =>
    spawnServe(["--port", port, "--data", dataPath, ...extra], {
      dir,
      onStderr: (chunk) => void (stderr += chunk),
    });
  let running = await spawn("0");
  const url = running.url;
  const port = new URL(url).port;
  return {
    url,
    dataPath,
    log: () => stderr,
    storedEvents: () =>
      readStore(dataPath, async (kv) => {
        const out = new Map<string, { event: Envelope; team: string }>();
        for await (const e of kv.list<StoredEvent>({ prefix: ["events"] })) {
          out.set(e.key[2] as string, {
            event: JSON.parse(envelopeJson(e.value)),
            team: e.value.team,
          });
        }
        return out;
      }),
    projectRow: (team, project) =>
      readStore(
        dataPath,
        async (kv) => (await kv.get<ProjectRow>(projectRowKey(team, project))).value,
      ),
    stop: () => running.stop(),
    start: async () => {
      running = await spawn(port);
    },
    close: async () => {
      await running.stop();
      await removeTree(dir);
    },
  };
}

export interface ServeProcess {
  url: string;
  /** SIGTERM, and waits until it has exited. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), and waits until it has exited. */
  crash(): Promise<void>;
}

/** `kittify serve ARGS` (run in `dir`, home `dir/home`) until it says where it listens. */
export async function spawnServe(
  args: string[],
  options: { dir: string; env?: Record<string, string>; onStderr?: (chunk: string) => void },
): Promise<ServeProcess> {
  const onStderr = options.onStderr ?? (() => {});
  const child = cliCommand(["serve", ...args], {
    cwd: options.dir,
    home: join(options.dir, "home"),
    env: options.env,
  }).spawn();
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: onStderr }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  let url: string | undefined;
  while (!url) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`serve exited early: ${stdout}`);
    stdout += value;
    url = /listening on (https?:\/\/\S+)/.exec(stdout)?.[1];
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  let stopped: Promise<void> | undefined;
  const end = (signal: Deno.Signal) =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      await child.status;
      await Promise.all([drained, stderrDone]).catch(() => {});
    })();
  return { url, stop: () => end("SIGTERM"), crash: () => end("SIGKILL") };
}
