/** `deno task compile` where the Deno runtime cannot be downloaded: one line saying why. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runtimeDownloadFailure } from "../../scripts/compile.ts";
import { ROOT } from "../helpers/cli.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

// What deno 2.9.6 prints when dl.deno.land does not resolve (captured on a machine without it).
const DNS_FAILURE =
  `\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file '/x/dist/kittify-0.1.0-linux-x64.tmp-a5534eed86bd25b5'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

Deno.test("a failed runtime download is told in one line with the URL and the innermost cause", () => {
  const line = runtimeDownloadFailure(DNS_FAILURE, "x86_64-unknown-linux-gnu")!;
  assert.equal(line.split("\n").length, 1);
  assert.match(line, /^error: deno compile could not download the Deno runtime for x86_64-/);
  assert.ok(
    line.includes("(https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip)"),
  );
  assert.ok(line.includes(": failed to lookup address information: Name or service not known;"));
  assert.ok(!line.includes("\x1b") && !/Stack|unknown>/.test(line), line);
  // Any other failure (a type error, say) is left to deno's own output.
  assert.equal(runtimeDownloadFailure("error: TS2322 [ERROR]: Type 'string'", "x"), undefined);
});

// The test gives deno a DENO_DIR without any cached runtime (sharing only the npm cache, through
// a symlink) and a proxy that refuses every connection, so the download fails on any machine.
Deno.test({
  name: "deno task compile without a downloadable runtime: exit 1, one error line, no stack",
  ignore: Deno.build.os === "windows", // directory symlinks need privileges there
}, async () => {
  const dir = await tempDir();
  try {
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
    const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
    const denoDir = join(dir, "deno-dir");
    await Deno.mkdir(denoDir);
    await Deno.symlink(npmCache, join(denoDir, "npm"), { type: "dir" });
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = `http://127.0.0.1:${(probe.addr as Deno.NetAddr).port}`;
    probe.close();
    const env = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([name]) => !/^(no_proxy|deno_dir)$/i.test(name)),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "--quiet",
        `--config=${ROOT}deno.json`,
        "compile",
        "--out-dir",
        join(dir, "out"),
        "x86_64-unknown-linux-gnu",
      ],
      clearEnv: true,
      env: { ...env, DENO_DIR: denoDir, HTTPS_PROXY: closed, HTTP_PROXY: closed, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    const lines = stderr.trim().split("\n");
    assert.deepEqual(lines.slice(0, -1), [
      `compiling kittify ${
        JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).version
      } for x86_64-unknown-linux-gnu`,
    ]);
    assert.match(
      lines.at(-1)!,
      /^error: deno compile could not download the Deno runtime for x86_64-unknown-linux-gnu \(https:\/\/dl\.deno\.land\/.*denort-x86_64-unknown-linux-gnu\.zip\): .+; compiling needs/,
    );
    assert.ok(!stderr.includes("\x1b") && !/Caused by|Stack backtrace/.test(stderr), stderr);
    const written = await Array.fromAsync(Deno.readDir(join(dir, "out"))).catch(() => []);
    assert.deepEqual(written, []);
  } finally {
    await removeTree(dir);
  }
});
