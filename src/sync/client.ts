/**
 * The network side of sync for one server, assembled from its parts: the session (tokens), the
 * HTTP batch transport and the uploader over the outbox.
 */
import { Session } from "../auth/session.ts";
import type { Outbox } from "../store/outbox.ts";
import { AuthApi } from "../transport/auth_api.ts";
import { HttpBatchTransport } from "../transport/http_batch.ts";
import type { Fetch } from "../transport/http.ts";
import { sleep } from "./backoff.ts";
import type { DeliveryRunDeps } from "./delivery_run.ts";
import { Uploader } from "./uploader.ts";

export interface SyncClientDeps {
  home: string;
  serverUrl: string;
  outbox: Outbox;
  fetch: Fetch;
  now(): number;
  random?(): number;
}

export interface SyncClient extends DeliveryRunDeps {
  api: AuthApi;
  session: Session;
}

export function syncClient(deps: SyncClientDeps): SyncClient {
  const api = new AuthApi(deps.fetch);
  const session = new Session({ home: deps.home, serverUrl: deps.serverUrl, api, now: deps.now });
  const uploader = new Uploader({
    outbox: deps.outbox,
    transport: new HttpBatchTransport(deps.serverUrl, deps.fetch),
    tokens: session,
    sleep,
    random: deps.random ?? Math.random,
  });
  return { api, session, uploader, outbox: deps.outbox, now: deps.now, sleep };
}
