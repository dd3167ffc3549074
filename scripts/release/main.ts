/**
 * `deno task release <command>`, the steps of .github/workflows/release.yml that need no
 * compiled binary to be tested:
 *
 * - `check-tag TAG`: exit 0 when TAG is `v<version>` of deno.json (the one source of truth),
 *   else one error line and exit 1.
 * - `package [--dist DIR] [--out DIR] [--base-url URL]`: after `deno task compile`, one archive
 *   per platform (`.tar.gz`, Windows `.zip`), `SHA256SUMS`, the Homebrew formula `kittify.rb` and
 *   the Scoop manifest `kittify.json` in `dist/release/` (or --out). SOURCE_DATE_EPOCH sets the
 *   archived files' time.
 * - `manifests --base-url URL [--sums FILE] [--out DIR]`: the formula and the manifest again
 *   from a `SHA256SUMS` (default `dist/release/SHA256SUMS`) with the archives at another place,
 *   e.g. `file://…` to install the formula before the release is published.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../../src/cli/version.ts";
import { homebrewFormula, type Release, releaseBaseUrl, scoopManifest } from "./manifests.ts";
import { packageRelease, parseSha256sums } from "./package.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The one-line complaint when `tag` does not name this version, or undefined when it does. */
export function tagMismatch(tag: string, version: string): string | undefined {
  const name = tag.replace(/^refs\/tags\//, "");
  if (name === `v${version}`) return undefined;
  return `error: tag ${name} does not match version ${version} in deno.json (expected v${version}); ` +
    "set the version in deno.json, commit, and tag that commit";
}

export async function writeManifests(release: Release, out: string): Promise<string[]> {
  await Deno.mkdir(out, { recursive: true });
  const formula = join(out, "kittify.rb");
  const manifest = join(out, "kittify.json");
  await Deno.writeTextFile(formula, homebrewFormula(release));
  await Deno.writeTextFile(manifest, scoopManifest(release));
  return [formula, manifest];
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) {
    if (args[i + 1] === undefined) throw new Error(`${name} needs a value`);
    return args[i + 1];
  }
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function epochMs(): number {
  const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
  return epoch && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now();
}

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const out = resolve(option(rest, "--out") ?? join(ROOT, "dist", "release"));
  const baseUrl = (option(rest, "--base-url") ?? releaseBaseUrl(VERSION)).replace(/\/+$/, "");
  switch (command) {
    case "check-tag": {
      const tag = rest[0];
      if (!tag) throw new Error("check-tag needs the tag (e.g. v1.2.3)");
      const problem = tagMismatch(tag, VERSION);
      if (problem) {
        console.error(problem);
        return 1;
      }
      console.log(`tag v${VERSION} matches deno.json`);
      return 0;
    }
    case "package": {
      const artifacts = await packageRelease({
        dist: resolve(option(rest, "--dist") ?? join(ROOT, "dist")),
        version: VERSION,
        out,
        extras: [join(ROOT, "LICENSE"), join(ROOT, "README.md")],
        mtime: epochMs(),
      });
      await writeManifests({ version: VERSION, baseUrl, artifacts }, out);
      for (const a of artifacts) console.log(`${a.sha256}  ${a.fileName}`);
      console.log(`wrote ${out}: archives, SHA256SUMS, kittify.rb, kittify.json`);
      return 0;
    }
    case "manifests": {
      const sums = resolve(option(rest, "--sums") ?? join(ROOT, "dist", "release", "SHA256SUMS"));
      const artifacts = parseSha256sums(await Deno.readTextFile(sums), VERSION);
      const written = await writeManifests({ version: VERSION, baseUrl, artifacts }, out);
      console.log(`wrote ${written.join(" and ")} for ${baseUrl}`);
      return 0;
    }
    default:
      console.error(
        "usage: deno task release check-tag TAG | package [--dist DIR] [--out DIR] [--base-url URL]" +
          " | manifests --base-url URL [--sums FILE] [--out DIR]",
      );
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
