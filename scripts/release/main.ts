/**
 * `deno task release [baseUrl]`: after `deno task compile`, writes `dist/kittify.rb` (Homebrew)
 * and `dist/kittify.json` (Scoop) with the SHA-256 of every binary in `dist/`.
 */
import { fileURLToPath } from "node:url";
import { VERSION } from "../../src/cli/version.ts";
import { TARGETS } from "../compile.ts";
import { type Artifact, homebrewFormula, HOMEPAGE, scoopManifest } from "./manifests.ts";

async function sha256Hex(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function collectArtifacts(dist: string, version: string): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  for (const platform of Object.values(TARGETS)) {
    const fileName = `kittify-${version}-${platform}${
      platform.startsWith("windows") ? ".exe" : ""
    }`;
    artifacts.push({ platform, fileName, sha256: await sha256Hex(`${dist}/${fileName}`) });
  }
  return artifacts;
}

if (import.meta.main) {
  const dist = fileURLToPath(new URL("../../dist", import.meta.url));
  const baseUrl = Deno.args[0] ?? `${HOMEPAGE}/releases/download/v${VERSION}`;
  const release = { version: VERSION, baseUrl, artifacts: await collectArtifacts(dist, VERSION) };
  await Deno.writeTextFile(`${dist}/kittify.rb`, homebrewFormula(release));
  await Deno.writeTextFile(`${dist}/kittify.json`, scoopManifest(release));
  console.log(`wrote ${dist}/kittify.rb and ${dist}/kittify.json`);
}
