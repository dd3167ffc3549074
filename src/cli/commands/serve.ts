/**
 * `kittify serve`: the self-hostable reference sync server, and `kittify serve user ...` to manage
 * its users. The server code is loaded only when one of these commands runs.
 */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command, CommandHandle } from "../command_builder.ts";
import { UsageError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { printJson, printRows } from "../output.ts";

interface StoreFlags {
  data?: string;
  databaseUrl?: string;
  mkdir?: boolean;
}

function storeOptions(command: Command): Command {
  return command
    .option("--data <path>", "server store file (default: <KITTIFY_HOME>/server.kv)")
    .option("--mkdir", "create the folder of --data (mode 0700) if it does not exist")
    .option(
      "--database-url <url>",
      "PostgreSQL instead of a file: postgres://user@host:port/db (password: PGPASSWORD, " +
        "or the whole URL in DATABASE_URL)",
    );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, got '${value}'`);
  }
  return port;
}

export function registerServe(program: Command): void {
  const serve = storeOptions(
    program
      .command("serve")
      .description("run the reference sync server (HTTP batch API, WebSocket, dashboard)")
      .option("--host <host>", "address to listen on", "127.0.0.1")
      .option("--port <port>", "port to listen on (0: any free port)", parsePort, 8787)
      .option("--tls-cert <file>", "serve https and wss with this PEM certificate chain")
      .option("--tls-key <file>", "the private key of --tls-cert (PEM)"),
  ).action(async (
    opts: StoreFlags & { host: string; port: number; tlsCert?: string; tlsKey?: string },
  ) => {
    const { runServer } = await load<typeof import("../../server/cli/run_server.ts")>(
      new URL("../../server/cli/run_server.ts", import.meta.url),
    );
    await runServer(opts);
  });

  storeOptions(
    serve.command("migrate")
      .description("bring the store's schema up to date (also done by every server start)")
      .option("--json", "print one JSON object"),
  ).action(async (_opts: unknown, command: CommandHandle) => {
    const opts = flags<StoreFlags & { json?: boolean }>(command);
    const { written, location } = await withStore(opts, async (store) => ({
      written: await store.migrate(),
      location: store.location,
    }));
    if (opts.json) printJson({ store: location, records_written: written });
    else console.log(ink.green(`Store ${location} is up to date (${written} records written)`));
  });

  const user = serve.command("user").description("manage the server's users and their teams");

  storeOptions(
    user.command("add")
      .description("add a user (password from stdin, or a hidden prompt on a terminal)")
      .argument("<name>", "username")
      .requiredOption("--team <team>", "the user's team (a slug, e.g. my-team)"),
  ).action(async (name: string, _opts: unknown, command: CommandHandle) => {
    const opts = flags<StoreFlags & { team: string }>(command);
    const { checkNewUser } = await load<typeof import("../../server/auth/users.ts")>(
      new URL("../../server/auth/users.ts", import.meta.url),
    );
    checkNewUser(name, opts.team);
    const { readNewPassword } = await load<typeof import("../../common/terminal_input.ts")>(
      new URL("../../common/terminal_input.ts", import.meta.url),
    );
    const password = await readNewPassword();
    const added = await withUsers(opts, (users) => users.add(name, opts.team, password));
    console.log(ink.green(`Added user ${added.username} (team ${added.team})`));
  });

  storeOptions(
    user.command("list")
      .description("list users and their teams")
      .option("--json", "print one JSON array"),
  ).action(async (_opts: unknown, command: CommandHandle) => {
    const opts = flags<StoreFlags & { json?: boolean }>(command);
    const users = await withUsers(opts, (users) => users.list(), "existing");
    if (opts.json) {
      printJson(users);
    } else if (users.length === 0) {
      console.log("No users. Add one with `kittify serve user add NAME --team TEAM`.");
    } else {
      printRows(users.map((u) => [
        u.username,
        `team ${u.team}, added ${u.created_at}` +
        (u.refused ? ink.yellow(` — cannot log in: ${u.refused}; remove and add again`) : ""),
      ]));
    }
  });

  storeOptions(
    user.command("remove")
      .description("remove a user (their tokens stop working at once)")
      .argument("<name>", "username"),
  ).action(async (name: string, _opts: unknown, command: CommandHandle) => {
    await withUsers(flags<StoreFlags>(command), (users) => users.remove(name), "existing");
    console.log(ink.green(`Removed user ${name}`));
  });
}

/**
 * A subcommand's options merged with `serve`'s: commander hands `--data`/`--database-url` to
 * `serve` even when they follow `user add`, so both places count.
 */
function flags<T>(command: CommandHandle): T {
  return command.optsWithGlobals() as T;
}

async function withUsers<T>(
  flags: StoreFlags,
  work: (users: import("../../server/auth/users.ts").UserStore) => Promise<T>,
  use: import("../../server/storage/open_store.ts").StoreUse = "create",
): Promise<T> {
  const { UserStore } = await load<typeof import("../../server/auth/users.ts")>(
    new URL("../../server/auth/users.ts", import.meta.url),
  );
  return await withStore(flags, async (store) => {
    if (use === "create") await store.migrate();
    return await work(new UserStore(store.users));
  }, use);
}

async function withStore<T>(
  flags: StoreFlags,
  work: (store: import("../../server/storage/server_store.ts").ServerStore) => Promise<T>,
  use: import("../../server/storage/open_store.ts").StoreUse = "create",
): Promise<T> {
  const { openServerStore, resolveStoreOptions } = await load<
    typeof import("../../server/storage/open_store.ts")
  >(new URL("../../server/storage/open_store.ts", import.meta.url));
  const store = await openServerStore(resolveStoreOptions(flags), use);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
