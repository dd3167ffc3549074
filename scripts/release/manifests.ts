/**
 * Homebrew formula and Scoop manifest for a release, from the archives' names and checksums.
 *
 * The formula is for the tap repository `kittify/homebrew-kittify` (`Formula/kittify.rb`,
 * `brew install kittify/kittify/kittify`) and passes `brew audit --strict`: no `version` line
 * (Homebrew reads it from the URL; declaring it too is an audit error), `on_arm`/`on_intel`
 * blocks rather than `if Hardware::CPU.arm?`, and a `test do` block that runs the binary. The
 * manifest is for the Scoop bucket `kittify/scoop-kittify` (`bucket/kittify.json`), with
 * `checkver` and `autoupdate` so Scoop's tools can follow new releases on their own.
 */

export interface Artifact {
  /** e.g. `linux-x64`, `macos-arm64`, `windows-x64` (see scripts/compile.ts TARGETS). */
  platform: string;
  /** The archive's file name in the release. */
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
/** `owner/name` of the Homebrew tap and the Scoop bucket. */
export const TAP_REPOSITORY = "kittify/homebrew-kittify";
export const BUCKET_REPOSITORY = "kittify/scoop-kittify";

/** Where a release's files are published on GitHub. */
export function releaseBaseUrl(version: string): string {
  return `${HOMEPAGE}/releases/download/v${version}`;
}

function artifact(release: Release, platform: string): Artifact {
  const found = release.artifacts.find((a) => a.platform === platform);
  if (!found) throw new Error(`release ${release.version} has no ${platform} archive`);
  return found;
}

function brewBlock(release: Release, platform: string, arch: "arm" | "intel"): string {
  const a = artifact(release, platform);
  return `    on_${arch} do
      url "${release.baseUrl}/${a.fileName}"
      sha256 "${a.sha256}"
    end`;
}

export function homebrewFormula(release: Release): string {
  return `class Kittify < Formula
  desc "${DESCRIPTION}"
  homepage "${HOMEPAGE}"
  license "MIT"

  livecheck do
    url :stable
    strategy :github_latest
  end

  on_macos do
${brewBlock(release, "macos-arm64", "arm")}
${brewBlock(release, "macos-x64", "intel")}
  end

  on_linux do
${brewBlock(release, "linux-arm64", "arm")}
${brewBlock(release, "linux-x64", "intel")}
  end

  def install
    bin.install "kittify"
  end

  test do
    assert_match "kittify #{version}", shell_output("#{bin}/kittify --version")
    ENV["KITTIFY_HOME"] = (testpath/"home").to_s
    system "git", "init", "--quiet"
    system bin/"kittify", "init"
    assert_match "project:", (testpath/".kittify/config.yaml").read
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
      "64bit": { url: `${release.baseUrl}/${win.fileName}`, hash: win.sha256 },
    },
    bin: "kittify.exe",
    checkver: "github",
    autoupdate: {
      architecture: {
        "64bit": {
          url: `${HOMEPAGE}/releases/download/v$version/kittify-$version-windows-x64.zip`,
        },
      },
      // The release's SHA256SUMS names each archive: Scoop finds the hash by the file name.
      hash: { url: "$baseurl/SHA256SUMS" },
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
