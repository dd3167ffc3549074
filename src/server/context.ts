/** Everything a request handler needs, built once per server (see server.ts). */
import type { TokenService } from "./auth/tokens.ts";
import type { UserStore } from "./auth/users.ts";
import type { Hub } from "./hub.ts";
import type { Ingestor } from "./ingest/ingest.ts";
import type { ServerTimings } from "./limits.ts";
import type { ViewReader } from "./view/read.ts";

export interface ServerContext {
  users: UserStore;
  tokens: TokenService;
  ingestor: Ingestor;
  views: ViewReader;
  hub: Hub;
  timings: ServerTimings;
  /** One line to the server log (stderr by default). Never given a token. */
  log(line: string): void;
}
