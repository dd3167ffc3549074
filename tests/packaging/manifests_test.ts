import assert from "node:assert/strict";
import { join } from "node:path";
import { collectArtifacts } from "../../scripts/release/main.ts";
import { homebrewFormula, scoopManifest } from "../../scripts/release/manifests.ts";
import { compileArgs, TARGETS } from "../../scripts/compile.ts";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

Deno.test("compile bakes in exactly the binary's permission flags for every target", () => {
  for (const target of Object.keys(TARGETS) as Array<keyof typeof TARGETS>) {
    const args = compileArgs(target, "/src/");
    assert.deepEqual(args.slice(3, 3 + BINARY_FLAGS.length), [...BINARY_FLAGS]);
    assert.equal(args[args.indexOf("--target") + 1], target);
    assert.equal(args.at(-1), "/src/main.ts");
    assert.equal(args[args.indexOf("--output") + 1].endsWith(".exe"), target.includes("windows"));
  }
});

Deno.test("release manifests carry the real checksum of each binary", async () => {
  const dist = await tempDir();
  try {
    for (const platform of Object.values(TARGETS)) {
      const name = `kittify-9.9.9-${platform}${platform.startsWith("windows") ? ".exe" : ""}`;
      await Deno.writeTextFile(join(dist, name), `binary for ${platform}`);
    }
    const artifacts = await collectArtifacts(dist, "9.9.9");
    // sha256("binary for linux-x64"), computed independently with coreutils.
    const linux = artifacts.find((a) => a.platform === "linux-x64")!;
    assert.equal(linux.sha256, "ece5f252e44cb6bc91bd4394b2daed70dbdbe7a6c67259e3e27cd003d84943a8");
    const release = { version: "9.9.9", baseUrl: "https://example.test/v9.9.9", artifacts };
    const formula = homebrewFormula(release);
    for (const a of artifacts.filter((a) => !a.platform.startsWith("windows"))) {
      assert.ok(
        formula.includes(
          `url "https://example.test/v9.9.9/${a.fileName}"\n      sha256 "${a.sha256}"`,
        ),
      );
    }
    const scoop = JSON.parse(scoopManifest(release));
    const win = artifacts.find((a) => a.platform === "windows-x64")!;
    assert.equal(scoop.version, "9.9.9");
    assert.equal(scoop.architecture["64bit"].hash, win.sha256);
    assert.equal(scoop.bin, "kittify.exe");
  } finally {
    await removeTree(dist);
  }
});
