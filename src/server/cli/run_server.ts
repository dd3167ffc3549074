/**
 * `kittify serve` in the foreground: open the store, start the server, print where it listens,
 * and on SIGINT/SIGTERM shut down cleanly (requests finish, sockets close with 1001, the store is
 * closed) before returning.
 */
import { UserError } from "../../common/errors.ts";
import {
  openServerStore,
  resolveStoreOptions,
  storeLocation,
  type StoreOptions,
} from "../storage/open_store.ts";
import type { ServerStore } from "../storage/server_store.ts";
import { type RunningServer, startServer } from "../server.ts";
import { readTlsFiles, type TlsFlags, type TlsPem } from "./tls_files.ts";

export interface ServeFlags extends StoreOptions, TlsFlags {
  host: string;
  port: number;
}

export async function runServer(given: ServeFlags): Promise<void> {
  const flags = { ...given, ...resolveStoreOptions(given) };
  const location = storeLocation(flags);
  const tls = await readTlsFiles(flags, (line) => console.error(line));
  const store = await openServerStore(flags);
  try {
    const server = await listen(store, flags, tls);
    const stopped = Promise.withResolvers<string>();
    const signals: Deno.Signal[] = Deno.build.os === "windows"
      ? ["SIGINT", "SIGBREAK"]
      : ["SIGINT", "SIGTERM"];
    const handlers = signals.map((signal) => {
      const handler = () => stopped.resolve(signal);
      Deno.addSignalListener(signal, handler);
      return [signal, handler] as const;
    });
    console.log(
      `kittify serve listening on ${server.url} (store: ${location})`,
    );
    console.log(`dashboard: ${server.url}/`);
    const signal = await stopped.promise;
    for (const [s, handler] of handlers) Deno.removeSignalListener(s, handler);
    console.error(`${signal} received: shutting down`);
    await server.shutdown();
    console.error("stopped");
  } finally {
    await store.close();
  }
}

/** Starts the server; an address that cannot be bound is the user's to fix (exit 1). */
async function listen(
  store: ServerStore,
  flags: ServeFlags,
  tls: TlsPem | undefined,
): Promise<RunningServer> {
  try {
    return await startServer({ store, hostname: flags.host, port: flags.port, tls });
  } catch (err) {
    if (tls && !(err instanceof Deno.errors.AddrInUse) && /cert|key|pem|tls/i.test(String(err))) {
      throw new UserError(`the TLS certificate or key cannot be used: ${(err as Error).message}`, {
        hint: "--tls-cert takes the certificate chain, --tls-key its private key (PEM)",
      });
    }
    const bindError = err instanceof Deno.errors.AddrInUse ||
      err instanceof Deno.errors.AddrNotAvailable || err instanceof Deno.errors.PermissionDenied ||
      (err instanceof Error && /address|resolve|lookup/i.test(err.message));
    if (!bindError) throw err;
    throw new UserError(`cannot listen on ${flags.host}:${flags.port}: ${(err as Error).message}`, {
      hint: err instanceof Deno.errors.AddrInUse
        ? "another process uses that port: pick another with --port (0: any free port)"
        : "check --host and --port",
    });
  }
}
