/**
 * An in-process reference server for tests: an in-memory Deno KV, port 0 on loopback, fast
 * heartbeats, an adjustable clock, and two seeded teams. Password hashes (600k PBKDF2 rounds)
 * are computed once per test module and reused.
 */
import type { BudgetOptions } from "../../src/server/memory_budget.ts";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { hashPassword, type PasswordHash } from "../../src/server/auth/password.ts";
import type { UserRecord } from "../../src/server/auth/users.ts";
import { KvServerStore } from "../../src/server/storage/kv/kv_server_store.ts";
import type { ServerStore } from "../../src/server/storage/server_store.ts";
import type { ServerTimings } from "../../src/server/limits.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { newEventId } from "../../src/events/ulid.ts";
import { formatTimestamp } from "../../src/events/timestamp.ts";
import type { Envelope } from "../../src/events/types.ts";

export const PASSWORD = "correct horse battery";
export const USERS = {
  alice: { username: "alice", team: "acme" },
  bob: { username: "bob", team: "acme" },
  eve: { username: "eve", team: "rival" },
} as const;

let sharedHash: Promise<PasswordHash> | undefined;

export interface TestServer extends RunningServer {
  /** The server's KV database (the default store). */
  kv: Deno.Kv;
  store: ServerStore;
  /** Moves the server's clock (token expiry) forward by `seconds`. */
  advance(seconds: number): void;
  logs: string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  timings?: Partial<ServerTimings>;
  kv?: Deno.Kv;
  /** More users (password {@link PASSWORD}). */
  extraUsers?: Array<{ username: string; team: string }>;
  /** Called whenever the server reads its clock (e.g. to verify a token). */
  onClock?: () => void;
  /** The server's memory budget (default: the real one). */
  budget?: BudgetOptions;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const kv = options.kv ?? await Deno.openKv(":memory:");
  const store = new KvServerStore(kv);
  sharedHash ??= hashPassword(PASSWORD);
  const password = await sharedHash;
  for (const user of [...Object.values(USERS), ...(options.extraUsers ?? [])]) {
    const record: UserRecord = { ...user, password, created_at: new Date().toISOString() };
    await store.users.insert(record);
  }
  let offset = 0;
  const logs: string[] = [];
  const server = await startServer({
    store,
    hostname: "127.0.0.1",
    port: 0,
    timings: { pingIntervalMs: 60_000, pongTimeoutMs: 60_000, ...options.timings },
    now: () => {
      options.onClock?.();
      return Date.now() + offset;
    },
    log: (line) => logs.push(line),
    budget: options.budget,
  });
  return {
    ...server,
    kv,
    store,
    logs,
    advance: (seconds) => {
      offset += seconds * 1000;
    },
    close: async () => {
      await server.shutdown();
      kv.close();
    },
  };
}

export interface Tokens {
  access: string;
  refresh: string;
  access_lifetime: number;
  refresh_lifetime: number;
  team_slug: string;
}

export async function login(url: string, username: string, password = PASSWORD): Promise<Tokens> {
  const response = await postJson(`${url}/api/v1/token/`, { username, password });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  return response.body as Tokens;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return await send(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export async function send(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

const gzipAsync = promisify(gzip);

export async function gzipped(text: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await gzipAsync(text));
}

/** POSTs `{"events": events}` gzip-compressed, as the client does. */
export async function postBatch(
  url: string,
  access: string,
  events: unknown[],
  options: { gzip?: boolean } = {},
): Promise<JsonResponse> {
  const json = JSON.stringify({ events });
  const useGzip = options.gzip ?? true;
  return await send(`${url}/api/v1/events/batch/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${access}`,
      "content-type": "application/json",
      ...(useGzip ? { "content-encoding": "gzip" } : {}),
    },
    body: useGzip ? await gzipped(json) : json,
  });
}

export const PROJECT = "6f1c0d5e-2b7a-4c1e-9a53-0d2f4b8e7c11";

/** A valid WPStatusChanged envelope; override any field. */
export function statusEvent(
  overrides: Partial<Envelope> & { to?: string; from?: string; wp?: string; feature?: string } = {},
): Envelope {
  const { to, from, wp, feature, ...rest } = overrides;
  const wpId = wp ?? "WP01";
  return {
    event_id: newEventId(),
    event_type: "WPStatusChanged",
    aggregate_id: wpId,
    aggregate_type: "WorkPackage",
    payload: {
      wp_id: wpId,
      from_lane: from ?? "planned",
      to_lane: to ?? "in_progress",
      actor: "user",
      feature_slug: feature ?? "001-demo",
    },
    node_id: "a1b2c3d4e5f6",
    lamport_clock: 1,
    causation_id: null,
    timestamp: formatTimestamp(),
    team_slug: "acme",
    project_uuid: PROJECT,
    project_slug: "demo",
    git_branch: "main",
    head_commit_sha: null,
    repo_slug: "acme/demo",
    ...rest,
  };
}

export function results(response: JsonResponse): Array<Record<string, unknown>> {
  return (response.body as { results: Array<Record<string, unknown>> }).results;
}
