/**
 * A kittify client for sync tests: a real git repository with an identity, a private home whose
 * config.toml points at a server (or a fault proxy), the CLI as a subprocess, and a fast way to
 * fill the outbox with many valid events (written into the real KV file through the outbox).
 */
import { join } from "node:path";
import type { Envelope } from "../../src/events/types.ts";
import { newEventId } from "../../src/events/ulid.ts";
import { formatTimestamp } from "../../src/events/timestamp.ts";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import type { OutboxState } from "../../src/store/keys.ts";
import type { Head } from "../../src/store/stats.ts";
import { type CliOptions, type CliResult, kittifyJson, runKittify } from "./cli.ts";
import { type Sandbox, sandbox } from "./fs.ts";
import { FaultProxy } from "./fault_proxy.ts";
import { type RunningServe, SERVE_PASSWORD, type ServeUser, startServe } from "./serve.ts";

export interface SyncClientBox extends Sandbox {
  run(args: string[], options?: Partial<CliOptions>): Promise<CliResult>;
  /** Points `[sync] server_url` at `url`. */
  setServer(url: string): Promise<void>;
  /** `auth login` as `username` (password on stdin); throws unless it succeeds. */
  login(username: string): Promise<void>;
  /** The project's uuid (from `kittify identity`). */
  project: string;
  /** Stores `n` valid pending events for this project; returns their ids, oldest first. */
  seed(n: number, team?: string): Promise<string[]>;
  /** The outbox head (clock and counters), read from the KV file. */
  head(): Promise<Head>;
  /** Event ids of one state, oldest first. */
  ids(state: OutboxState): Promise<string[]>;
}

export function validEvent(project: string, i: number, team = "local"): Envelope {
  const wp = `WP${String((i % 99) + 1).padStart(2, "0")}`;
  return {
    event_id: newEventId(),
    event_type: "HistoryAdded",
    aggregate_id: wp,
    aggregate_type: "WorkPackage",
    payload: { wp_id: wp, entry_type: "note", entry_content: `note ${i}`, author: "seed" },
    node_id: "a1b2c3d4e5f6",
    lamport_clock: 0,
    causation_id: null,
    timestamp: formatTimestamp(),
    team_slug: team,
    project_uuid: project,
    project_slug: "demo-repo",
    git_branch: "main",
    head_commit_sha: null,
    repo_slug: null,
  };
}

async function withOutbox<T>(home: string, fn: (o: KvOutbox) => Promise<T>): Promise<T> {
  await Deno.mkdir(home, { recursive: true });
  const kv = await Deno.openKv(join(home, "kittify.kv"));
  try {
    return await fn(new KvOutbox(kv));
  } finally {
    kv.close();
  }
}

export async function syncClientBox(serverUrl: string): Promise<SyncClientBox> {
  const sb = await sandbox({ commit: true });
  const run = (args: string[], options: Partial<CliOptions> = {}) =>
    runKittify(args, { cwd: sb.repo, home: sb.home, ...options });
  const setServer = async (url: string) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.toml"), `[sync]\nserver_url = "${url}"\n`);
  };
  await setServer(serverUrl);
  const identity = await kittifyJson<{ project_uuid: string }>(["identity", "--json"], {
    cwd: sb.repo,
    home: sb.home,
  });
  return {
    ...sb,
    run,
    setServer,
    project: identity.project_uuid,
    login: async (username) => {
      const result = await run(["auth", "login", "--username", username, "--password-stdin"], {
        stdin: `${SERVE_PASSWORD}\n`,
      });
      if (result.code !== 0) throw new Error(`login failed: ${result.stderr}`);
    },
    seed: (n, team) =>
      withOutbox(sb.home, async (outbox) => {
        const events = Array.from({ length: n }, (_, i) =>
          validEvent(identity.project_uuid, i, team));
        const outcomes = await Promise.all(events.map((event) =>
          outbox.append({
            event,
            state: "pending",
            bytes: new TextEncoder().encode(JSON.stringify(event)).length,
          })
        ));
        if (
          outcomes.some((o) =>
            o.status !== "stored"
          )
        ) throw new Error("seeding failed");
        return events.map((e) => e.event_id);
      }),
    head: () => withOutbox(sb.home, (o) => o.head()),
    ids: (state) =>
      withOutbox(sb.home, async (o) => (await o.list([state])).map((e) => e.record.event_id)),
  };
}

export interface SyncWorld {
  server: RunningServe;
  proxy: FaultProxy;
  client: SyncClientBox;
}

/**
 * A real `kittify serve` with `users` (alice in acme by default), the fault-injecting proxy in
 * front of it, and a client pointed at the proxy (logged in as `login` when given); all removed
 * afterwards.
 */
export async function withSyncWorld(
  fn: (world: SyncWorld) => Promise<void>,
  options: { users?: ServeUser[]; login?: string } = {},
): Promise<void> {
  const server = await startServe(options.users ?? [{ username: "alice", team: "acme" }]);
  const proxy = FaultProxy.start(server.url);
  const client = await syncClientBox(proxy.url);
  try {
    if (options.login) await client.login(options.login);
    await fn({ server, proxy, client });
  } finally {
    await client.cleanup();
    await proxy.close();
    await server.close();
  }
}
