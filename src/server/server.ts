/**
 * Starting and stopping the reference sync server on an open store (storage/server_store.ts).
 * `kittify serve` (src/cli/commands/serve.ts) adds signals and the store's lifetime; tests call
 * this directly.
 */
import { TokenService } from "./auth/tokens.ts";
import { RemovedUserSweep } from "./auth/removed_users.ts";
import { UserStore } from "./auth/users.ts";
import type { ServerContext } from "./context.ts";
import { buildApp } from "./http/app.ts";
import { Hub } from "./hub.ts";
import { Ingestor } from "./ingest/ingest.ts";
import { DEFAULT_TIMINGS, type ServerTimings } from "./limits.ts";
import { type BudgetOptions, MemoryBudget } from "./memory_budget.ts";
import type { ServerStore } from "./storage/server_store.ts";
import { ViewReader } from "./view/read.ts";
import { SocketQuota } from "./ws/socket_quota.ts";

export interface ServerOptions {
  store: ServerStore;
  hostname?: string;
  /** 0 picks a free port. */
  port?: number;
  timings?: Partial<ServerTimings>;
  /** Milliseconds since the epoch (tests move it to expire tokens). */
  now?: () => number;
  /** Receives one line per request (default: stderr with a timestamp). */
  log?: (line: string) => void;
  /** The memory budget for event data in flight (default: DEFAULT_BUDGET). */
  budget?: BudgetOptions;
  /** PEM certificate chain and private key: serve https and wss instead of http and ws. */
  tls?: { cert: string; key: string };
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  hostname: string;
  port: number;
  /** Bytes of event data requests and sockets hold right now (memory_budget.ts). */
  memoryInUse(): number;
  /** Stops accepting, closes WebSockets (1001) and live streams, lets requests finish. */
  shutdown(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { store } = options;
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const now = options.now ?? Date.now;
  const log = options.log ??
    ((line: string) => console.error(`${new Date().toISOString()} ${line}`));
  const moved = await store.migrate();
  if (moved > 0) log(`store: migrated to the current layout (${moved} records written)`);
  const users = new UserStore(store.users);
  for (const user of await users.list()) {
    if (!user.refused) continue;
    log(
      `user '${user.username}' cannot log in: ${user.refused} (added before names were ` +
        "checked); remove it with `kittify serve user remove` and add it again",
    );
  }
  const ctx: ServerContext = {
    users,
    tokens: new TokenService(store.families, await store.signingKey(), users, timings, now),
    ingestor: new Ingestor(store.events, now),
    views: new ViewReader(store.views),
    hub: new Hub(),
    budget: new MemoryBudget(options.budget),
    sockets: new SocketQuota(),
    timings,
    log,
  };
  const sweep = new RemovedUserSweep(
    ctx.hub,
    users,
    timings.userCheckMs,
    (err) =>
      ctx.log(`checking connected users failed: ${err instanceof Error ? err.message : err}`),
  );
  // Events other server processes stored reach this one's sockets and streams too.
  const unfollow = await store.feed?.follow((team, events) => ctx.hub.publish(team, events));
  const app = buildApp(ctx);
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 8787,
    onListen: () => {},
    ...(options.tls ?? {}),
  }, app.fetch);
  const { hostname, port } = server.addr;
  sweep.start();
  let stopping: Promise<void> | undefined;
  return {
    url: `${options.tls ? "https" : "http"}://${
      hostname.includes(":") ? `[${hostname}]` : hostname
    }:${port}`,
    hostname,
    port,
    memoryInUse: () => ctx.budget.inUse,
    shutdown: () =>
      stopping ??= (async () => {
        sweep.stop();
        await unfollow?.();
        ctx.hub.closeAll();
        await server.shutdown();
        await ctx.ingestor.idle();
      })(),
  };
}
