/**
 * The release's packaging, on fake binaries (no compiled kittify needed): archives that the
 * system's tar/unzip open, SHA256SUMS that sha256sum accepts, and a Homebrew formula and a Scoop
 * manifest carrying exactly those checksums.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { binaryName, compileArgs, TARGETS } from "../../scripts/compile.ts";
import { main, tagMismatch } from "../../scripts/release/main.ts";
import { homebrewFormula, scoopManifest } from "../../scripts/release/manifests.ts";
import {
  archiveName,
  packageRelease,
  parseSha256sums,
  PLATFORMS,
  sha256sums,
  systemTar,
} from "../../scripts/release/package.ts";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { VERSION } from "../../src/cli/version.ts";
import { ROOT } from "../helpers/cli.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

const POSIX = Deno.build.os !== "windows";

Deno.test("compile bakes in exactly the binary's permission flags for every target", () => {
  for (const target of Object.keys(TARGETS) as Array<keyof typeof TARGETS>) {
    const args = compileArgs(target, "/src/");
    assert.deepEqual(args.slice(3, 3 + BINARY_FLAGS.length), [...BINARY_FLAGS]);
    assert.equal(args[args.indexOf("--target") + 1], target);
    assert.equal(args.at(-1), "/src/main.ts");
    assert.equal(args[args.indexOf("--output") + 1].endsWith(".exe"), target.includes("windows"));
    assert.equal(
      args[args.indexOf("--output") + 1],
      `/src/dist/${binaryName(VERSION, TARGETS[target])}`,
    );
  }
});

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

async function has(cmd: string): Promise<boolean> {
  try {
    await new Deno.Command(cmd, { args: ["--help"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

/** A dist/ of fake binaries (their text names the platform) and a packaged release from it. */
async function fakeRelease(dir: string) {
  const dist = join(dir, "dist");
  await Deno.mkdir(dist);
  for (const platform of PLATFORMS) {
    await Deno.writeTextFile(join(dist, binaryName("9.9.9", platform)), `binary for ${platform}`);
  }
  await Deno.writeTextFile(join(dir, "LICENSE"), "the licence\n");
  const out = join(dir, "release");
  const artifacts = await packageRelease({
    dist,
    version: "9.9.9",
    out,
    extras: [join(dir, "LICENSE")],
    mtime: Date.UTC(2026, 0, 2, 12),
  });
  return { out, artifacts };
}

Deno.test("package: one archive per platform that tar/unzip open, with the binary executable", async () => {
  const dir = await tempDir();
  try {
    const { out, artifacts } = await fakeRelease(dir);
    assert.deepEqual(artifacts.map((a) => a.fileName), [
      "kittify-9.9.9-linux-x64.tar.gz",
      "kittify-9.9.9-linux-arm64.tar.gz",
      "kittify-9.9.9-macos-x64.tar.gz",
      "kittify-9.9.9-macos-arm64.tar.gz",
      "kittify-9.9.9-windows-x64.zip",
    ]);
    for (const a of artifacts) {
      // Each checksum is that of the file written, by an independent implementation.
      const bytes = await Deno.readFile(join(out, a.fileName));
      assert.equal(a.sha256, createHash("sha256").update(bytes).digest("hex"));
      const into = join(dir, `x-${a.platform}`);
      await Deno.mkdir(into);
      if (a.fileName.endsWith(".zip") && await has("unzip")) {
        await run("unzip", ["-q", join(out, a.fileName)], into);
      } else {
        // GNU tar (Linux) reads tar.gz; bsdtar (macOS, Windows) reads zip as well.
        await run(systemTar(), ["-xf", join(out, a.fileName)], into);
      }
      const exe = a.platform.startsWith("windows") ? "kittify.exe" : "kittify";
      assert.equal(await Deno.readTextFile(join(into, exe)), `binary for ${a.platform}`);
      assert.equal(await Deno.readTextFile(join(into, "LICENSE")), "the licence\n");
      if (POSIX && !a.platform.startsWith("windows")) {
        assert.equal((await Deno.stat(join(into, exe))).mode! & 0o777, 0o755);
      }
    }
    const listing = await run(
      systemTar(),
      ["-tvzf", join(out, "kittify-9.9.9-linux-x64.tar.gz")],
      dir,
    );
    assert.match(listing, /^-rwxr-xr-x .*root.* kittify$/m);
    assert.match(listing, /2026-01-02|Jan +2 +2026/);
  } finally {
    await removeTree(dir);
  }
});

Deno.test({
  name: "package: SHA256SUMS is what sha256sum -c (or shasum -a 256 -c) accepts",
  ignore: !POSIX,
}, async () => {
  const dir = await tempDir();
  try {
    const { out, artifacts } = await fakeRelease(dir);
    const text = await Deno.readTextFile(join(out, "SHA256SUMS"));
    assert.equal(text, sha256sums(artifacts));
    assert.equal(text.trim().split("\n").length, 5);
    const [cmd, args] = await has("sha256sum")
      ? ["sha256sum", ["-c", "SHA256SUMS"]]
      : ["shasum", ["-a", "256", "-c", "SHA256SUMS"]];
    assert.equal((await run(cmd, args as string[], out)).match(/: OK$/gm)?.length, 5);
    // A changed archive fails the check.
    await Deno.writeTextFile(join(out, "kittify-9.9.9-macos-arm64.tar.gz"), "tampered");
    const bad = await new Deno.Command(cmd, {
      args: args as string[],
      cwd: out,
      stdout: "null",
      stderr: "null",
    })
      .output();
    assert.notEqual(bad.code, 0);
    assert.deepEqual(parseSha256sums(text, "9.9.9"), artifacts);
  } finally {
    await removeTree(dir);
  }
});

Deno.test("SHA256SUMS without a platform's archive, or with a bad line, is refused", () => {
  const line = (name: string) => `${"a".repeat(64)}  ${name}\n`;
  const four = PLATFORMS.slice(1).map((p) => line(archiveName("1.0.0", p))).join("");
  assert.throws(
    () => parseSha256sums(four, "1.0.0"),
    /no line for kittify-1.0.0-linux-x64\.tar\.gz/,
  );
  assert.throws(() => parseSha256sums(`${four}nonsense\n`, "1.0.0"), /not a checksum line/);
});

const ARTIFACTS = PLATFORMS.map((platform, i) => ({
  platform,
  fileName: archiveName("9.9.9", platform),
  sha256: String(i).repeat(64),
}));
const RELEASE = {
  version: "9.9.9",
  baseUrl: "https://github.com/kittify/kittify/releases/download/v9.9.9",
  artifacts: ARTIFACTS,
};

Deno.test("the Homebrew formula: each platform's archive and checksum, audit-clean shape, a real test", () => {
  const formula = homebrewFormula(RELEASE);
  const block = (os: string, arch: string, platform: string) => {
    const a = ARTIFACTS.find((x) => x.platform === platform)!;
    return `  on_${os} do\n` +
      `    on_${arch} do\n      url "${RELEASE.baseUrl}/${a.fileName}"\n      sha256 "${a.sha256}"\n    end`;
  };
  assert.ok(formula.includes(block("macos", "arm", "macos-arm64")), formula);
  assert.ok(
    formula.includes(
      `${
        block("linux", "arm", "linux-arm64")
      }\n    on_intel do\n      url "${RELEASE.baseUrl}/kittify-9.9.9-linux-x64.tar.gz"\n      sha256 "${
        "0".repeat(64)
      }"`,
    ),
  );
  assert.ok(
    formula.includes(
      `on_intel do\n      url "${RELEASE.baseUrl}/kittify-9.9.9-macos-x64.tar.gz"\n      sha256 "${
        "2".repeat(64)
      }"`,
    ),
  );
  assert.ok(!formula.includes("windows"));
  // brew audit --strict: the version comes from the URL (a `version` line is "redundant"), and
  // architecture goes in on_arm/on_intel blocks, never `if Hardware::CPU.arm?`.
  assert.doesNotMatch(formula, /^\s*version /m);
  assert.doesNotMatch(formula, /Hardware::CPU|OS\.mac\?/);
  assert.match(formula, /^ {2}desc "[^"]{1,80}"$/m);
  assert.match(formula, /^ {2}license "MIT"$/m);
  assert.match(formula, /def install\n {4}bin\.install "kittify"\n {2}end/);
  assert.match(
    formula,
    /test do\n[^]*shell_output\("#\{bin\}\/kittify --version"\)[^]*system bin\/"kittify", "init"/,
  );
  // Every do/def has its end.
  const opened = formula.match(/\b(do|def)\b/g)!.length + 1; // + the class
  assert.equal(formula.match(/^\s*end$/gm)!.length, opened);
});

Deno.test("the Scoop manifest: the zip and its checksum, checkver and autoupdate", () => {
  const manifest = JSON.parse(scoopManifest(RELEASE));
  assert.equal(manifest.version, "9.9.9");
  assert.deepEqual(manifest.architecture["64bit"], {
    url: `${RELEASE.baseUrl}/kittify-9.9.9-windows-x64.zip`,
    hash: "4".repeat(64),
  });
  assert.equal(manifest.bin, "kittify.exe");
  assert.equal(manifest.checkver, "github");
  assert.match(manifest.homepage, /^https:\/\/github\.com\/kittify\/kittify$/);
  // autoupdate builds the same URL for any version, and finds its hash in SHA256SUMS.
  const next = manifest.autoupdate.architecture["64bit"].url.replaceAll("$version", "9.9.9");
  assert.equal(next, manifest.architecture["64bit"].url);
  assert.deepEqual(manifest.autoupdate.hash, { url: "$baseurl/SHA256SUMS" });
});

Deno.test("the release tag must be v<version of deno.json>", () => {
  assert.equal(tagMismatch("v1.2.3", "1.2.3"), undefined);
  assert.equal(tagMismatch("refs/tags/v1.2.3", "1.2.3"), undefined);
  assert.match(
    tagMismatch("v1.2.4", "1.2.3")!,
    /^error: tag v1\.2\.4 does not match version 1\.2\.3 in deno\.json/,
  );
  assert.ok(tagMismatch("1.2.3", "1.2.3"));
  assert.ok(tagMismatch("v1.2.3-rc1", "1.2.3"));
});

Deno.test("deno task release manifests rebuilds both files from SHA256SUMS for another base URL", async () => {
  const dir = await tempDir();
  try {
    const sums = ARTIFACTS.map((a) => ({ ...a, fileName: archiveName(VERSION, a.platform) }));
    await Deno.writeTextFile(join(dir, "SHA256SUMS"), sha256sums(sums));
    const code = await main([
      "manifests",
      "--base-url",
      "file:///tmp/v1/",
      "--sums",
      join(dir, "SHA256SUMS"),
      "--out",
      dir,
    ]);
    assert.equal(code, 0);
    const formula = await Deno.readTextFile(join(dir, "kittify.rb"));
    assert.ok(
      formula.includes(
        `url "file:///tmp/v1/kittify-${VERSION}-macos-arm64.tar.gz"\n      sha256 "${
          "3".repeat(64)
        }"`,
      ),
    );
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, "kittify.json")));
    assert.equal(manifest.architecture["64bit"].hash, "4".repeat(64));
    assert.equal(await main(["bogus"]), 2);
  } finally {
    await removeTree(dir);
  }
});

Deno.test("deno task release check-tag: exit 0 for this version's tag, 1 with one line otherwise", async () => {
  const task = (tag: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", `--config=${ROOT}deno.json`, "release", "check-tag", tag],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const good = await task(`v${VERSION}`);
  assert.equal(good.code, 0, new TextDecoder().decode(good.stderr));
  const bad = await task("v0.0.0-nope");
  assert.equal(bad.code, 1);
  const lines = new TextDecoder().decode(bad.stderr).trim().split("\n");
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /^error: tag v0\.0\.0-nope does not match version/);
});
