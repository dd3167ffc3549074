/**
 * `kittify serve` in the foreground: open the store, start the server, print where it listens,
 * and on SIGINT/SIGTERM shut down cleanly (requests finish, sockets close with 1001, the store is
 * closed) before returning.
 */
import { openServerStore, storeLocation, type StoreOptions } from "../store.ts";
import { startServer } from "../server.ts";

export interface ServeFlags extends StoreOptions {
  host: string;
  port: number;
}

export async function runServer(flags: ServeFlags): Promise<void> {
  const location = await storeLocation(flags);
  const kv = await openServerStore(flags);
  try {
    const server = await startServer({ kv, hostname: flags.host, port: flags.port });
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
      `kittify serve listening on ${server.url} (store: ${location.replace(/\?.*$/, "")})`,
    );
    console.log(`dashboard: ${server.url}/`);
    const signal = await stopped.promise;
    for (const [s, handler] of handlers) Deno.removeSignalListener(s, handler);
    console.error(`${signal} received: shutting down`);
    await server.shutdown();
    console.error("stopped");
  } finally {
    kv.close();
  }
}
