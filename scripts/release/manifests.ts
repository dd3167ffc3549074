/** Homebrew formula and Scoop manifest for a release, from the binaries' names and checksums. */

export interface Artifact {
  /** e.g. `linux-x64`, `macos-arm64`, `windows-x64` (see scripts/compile.ts TARGETS). */
  platform: string;
  fileName: string;
  sha256: string;
}

export interface Release {
  version: string;
  /** Where the release's files are downloadable, without a trailing slash. */
  baseUrl: string;
  artifacts: Artifact[];
}

export const HOMEPAGE = "https://github.com/kittify/kittify";
export const DESCRIPTION = "Stable project identity and durable event sync for spec-kitty projects";

function artifact(release: Release, platform: string): Artifact {
  const found = release.artifacts.find((a) => a.platform === platform);
  if (!found) throw new Error(`release ${release.version} has no ${platform} binary`);
  return found;
}

function brewBlock(release: Release, platform: string, indent: string): string {
  const a = artifact(release, platform);
  return `${indent}url "${release.baseUrl}/${a.fileName}"\n${indent}sha256 "${a.sha256}"`;
}

export function homebrewFormula(release: Release): string {
  return `class Kittify < Formula
  desc "${DESCRIPTION}"
  homepage "${HOMEPAGE}"
  version "${release.version}"
  license "MIT"

  on_macos do
    if Hardware::CPU.arm?
${brewBlock(release, "macos-arm64", "      ")}
    else
${brewBlock(release, "macos-x64", "      ")}
    end
  end

  on_linux do
    if Hardware::CPU.arm?
${brewBlock(release, "linux-arm64", "      ")}
    else
${brewBlock(release, "linux-x64", "      ")}
    end
  end

  def install
    bin.install Dir["kittify-*"].first => "kittify"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/kittify --version")
  end
end
`;
}

export function scoopManifest(release: Release): string {
  const win = artifact(release, "windows-x64");
  const manifest = {
    version: release.version,
    description: DESCRIPTION,
    homepage: HOMEPAGE,
    license: "MIT",
    architecture: {
      "64bit": { url: `${release.baseUrl}/${win.fileName}#/kittify.exe`, hash: win.sha256 },
    },
    bin: "kittify.exe",
    checkver: "github",
    autoupdate: {
      architecture: {
        "64bit": {
          url:
            `${HOMEPAGE}/releases/download/v$version/kittify-$version-windows-x64.exe#/kittify.exe`,
        },
      },
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
