/**
 * Files that hold secrets are private: the server store (signing key, password hashes), the user
 * store and its SQLite sidecars are 0600 in a 0700 folder, whether kittify creates them or finds
 * them more open; a missing --data folder is created only on request.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runKittify } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";
import { startServe } from "../helpers/serve.ts";

async function mode(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

/** The store file and every SQLite sidecar beside it. */
async function storeFiles(path: string): Promise<string[]> {
  const out = [path];
  for (const suffix of ["-wal", "-shm"]) {
    try {
      await Deno.stat(path + suffix);
      out.push(path + suffix);
    } catch { /* not there */ }
  }
  return out;
}

async function assertPrivate(path: string): Promise<void> {
  const files = await storeFiles(path);
  for (const file of files) assert.equal(await mode(file), 0o600, `${file} is 0600`);
}

Deno.test({
  name: "store files are 0600 in a 0700 folder, created so or tightened",
  ignore: Deno.build.os === "windows",
}, async () => {
  const sb = await sandbox({ commit: true });
  const data = join(sb.home, "..", "server-data", "server.kv");
  try {
    const added = await runKittify(
      ["serve", "user", "add", "carol", "--team", "acme", "--data", data, "--mkdir"],
      { cwd: sb.repo, home: sb.home, stdin: "s3cret-enough\n" },
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(await mode(join(data, "..")), 0o700);
    await assertPrivate(data);

    // The user store, created by the first command that stores an event, with the home 0700.
    const created = await runKittify(["feature", "create", "private"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await mode(sb.home), 0o700);
    const userStore = join(sb.home, "kittify.kv");
    await assertPrivate(userStore);

    // A store someone left readable by others is tightened before it is opened again.
    for (const file of await storeFiles(userStore)) await Deno.chmod(file, 0o644);
    const listed = await runKittify(["sync", "status"], { cwd: sb.repo, home: sb.home });
    assert.equal(listed.code, 0, listed.stderr);
    await assertPrivate(userStore);
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name: "a running server's store and its write-ahead log are private",
  ignore: Deno.build.os === "windows",
}, async () => {
  // startServe writes its users with a plain Deno.openKv first: a file the umask left 0644.
  const server = await startServe([{ username: "carol", team: "acme" }]);
  try {
    const files = await storeFiles(server.dataPath);
    assert.ok(files.length > 1, "the server keeps a write-ahead log while running");
    await assertPrivate(server.dataPath);
  } finally {
    await server.close();
  }
});
