/**
 * The README's one-line download (Linux) works as written: against a local server holding a
 * release packaged by the release scripts, it fetches the archive and SHA256SUMS, checks the
 * checksum, unpacks the binary and installs it; with a wrong checksum it stops before unpacking.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { binaryName } from "../../scripts/compile.ts";
import { packageRelease, PLATFORMS } from "../../scripts/release/package.ts";
import { VERSION } from "../../src/cli/version.ts";
import { ROOT } from "../helpers/cli.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

async function readmeLine(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const line = readme.split("\n").map((l) => l.trim()).find((l) =>
    l.startsWith("V=") && l.includes("SHA256SUMS")
  );
  assert.ok(line, "README has the one-line download");
  return line;
}

Deno.test({
  name: "README's one-line download: checksum checked, binary unpacked and installed",
  ignore: Deno.build.os !== "linux", // the line uses sha256sum (the README says what macOS uses)
}, async () => {
  const dir = await tempDir();
  const release = join(dir, "releases", "download", `v${VERSION}`);
  const dist = join(dir, "dist");
  await Deno.mkdir(dist);
  for (const platform of PLATFORMS) {
    await Deno.writeTextFile(
      join(dist, binaryName(VERSION, platform)),
      `#!/bin/sh\necho ${platform}\n`,
    );
  }
  await packageRelease({ dist, version: VERSION, out: release, extras: [], mtime: Date.now() });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = join(dir, decodeURIComponent(new URL(req.url).pathname));
    try {
      return new Response(await Deno.readFile(path));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/releases/download/v$V`;
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    const line = (await readmeLine())
      .replace(/^V=[^ ]+/, `V=${VERSION}`)
      .replace("https://github.com/kittify/kittify/releases/download/v$V", base)
      .replace("sudo install kittify /usr/local/bin/", `install kittify '${bin}/'`);
    assert.ok(line.includes(base) && line.includes(bin), line);
    const run = async (cwd: string) => {
      await Deno.mkdir(cwd);
      return await new Deno.Command("bash", {
        args: ["-c", line],
        cwd,
        stdout: "piped",
        stderr: "piped",
      }).output();
    };
    const ok = await run(join(dir, "ok"));
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    assert.match(new TextDecoder().decode(ok.stdout), /kittify-.*-linux-x64\.tar\.gz: OK/);
    const installed = await new Deno.Command(join(bin, "kittify"), { stdout: "piped" }).output();
    assert.equal(new TextDecoder().decode(installed.stdout), "linux-x64\n");

    // A release whose archive does not match SHA256SUMS: nothing is unpacked or installed.
    await Deno.remove(join(bin, "kittify"));
    const sums = join(release, "SHA256SUMS");
    await Deno.writeTextFile(
      sums,
      (await Deno.readTextFile(sums)).replace(/^[0-9a-f]/gm, (c) => c === "0" ? "1" : "0"),
    );
    const bad = await run(join(dir, "bad"));
    assert.notEqual(bad.code, 0);
    await assert.rejects(Deno.stat(join(dir, "bad", "kittify")));
    await assert.rejects(Deno.stat(join(bin, "kittify")));
  } finally {
    await server.shutdown();
    await removeTree(dir);
  }
});
