/** Everything a request handler needs, built once per server (see server.ts). */
import type { TokenService } from "./auth/tokens.ts";
import type { UserStore } from "./auth/users.ts";
import type { Hub } from "./hub.ts";
import type { Ingestor } from "./ingest/ingest.ts";
import type { MemoryBudget } from "./memory_budget.ts";
import type { ServerTimings } from "./limits.ts";
import type { ViewReader } from "./view/read.ts";
import type { SocketQuota } from "./ws/socket_quota.ts";

export interface ServerContext {
  users: UserStore;
  tokens: TokenService;
  ingestor: Ingestor;
  views: ViewReader;
  hub: Hub;
  /** Open WebSockets per user (ws/socket_quota.ts). */
  sockets: SocketQuota;
  /** The event data all requests and sockets may hold at once (memory_budget.ts). */
  budget: MemoryBudget;
  timings: ServerTimings;
  /** One line to the server log (stderr by default). Never given a token. */
  log(line: string): void;
}
