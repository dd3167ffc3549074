/**
 * scripts/release/smoke.ts, which the release workflow runs on each platform's runner against
 * the compiled binary: here against the CLI under test (source, or KITTIFY_BIN), and its archive
 * handling against archives made by the release packaging.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { binaryName } from "../../scripts/compile.ts";
import { archiveName, packageRelease, PLATFORMS } from "../../scripts/release/package.ts";
import { smoke, unpack } from "../../scripts/release/smoke.ts";
import { VERSION } from "../../src/cli/version.ts";
import { cliArgv, ROOT } from "../helpers/cli.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

Deno.test("the release smoke loop passes: init … implement, serve, login, sync now, server view", async () => {
  const base = await tempDir();
  try {
    await smoke(cliArgv([]), base);
  } finally {
    await removeTree(base);
  }
});

/** A packaged release whose binaries are shell scripts running the CLI under test. */
async function wrapperRelease(dir: string): Promise<string> {
  const dist = join(dir, "dist");
  await Deno.mkdir(dist);
  const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
  const wrapper = `#!/bin/sh\nexec ${cliArgv([]).map(quote).join(" ")} "$@"\n`;
  for (const platform of PLATFORMS) {
    await Deno.writeTextFile(join(dist, binaryName(VERSION, platform)), wrapper);
  }
  const out = join(dir, "release");
  await packageRelease({ dist, version: VERSION, out, extras: [], mtime: Date.now() });
  return join(out, archiveName(VERSION, "linux-x64"));
}

function smokeTask(archive: string) {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", `--config=${ROOT}deno.json`, "smoke", archive],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test({
  name: "smoke unpacks an archive that matches SHA256SUMS into a binary that runs",
  ignore: Deno.build.os === "windows", // the stand-in binary is a shell script
}, async () => {
  const dir = await tempDir();
  try {
    const archive = await wrapperRelease(dir);
    const binary = await unpack(archive, join(dir, "unpacked"));
    const out = await new Deno.Command(binary, { args: ["--version"], stdout: "piped" }).output();
    assert.equal(new TextDecoder().decode(out.stdout).trim(), `kittify ${VERSION}`);
  } finally {
    await removeTree(dir);
  }
});

Deno.test("smoke refuses an archive whose checksum is not the one in SHA256SUMS, before running it", async () => {
  const dir = await tempDir();
  try {
    const archive = await wrapperRelease(dir);
    const bytes = await Deno.readFile(archive);
    bytes[bytes.length - 1] ^= 0xff;
    await Deno.writeFile(archive, bytes);
    const out = await smokeTask(archive);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.match(
      stderr,
      /^smoke test FAILED: kittify-.*-linux-x64\.tar\.gz: SHA-256 [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}$/m,
    );
    assert.doesNotMatch(new TextDecoder().decode(out.stdout), /kittify --version/);
  } finally {
    await removeTree(dir);
  }
});
