/**
 * Release archives from the compiled binaries: `kittify-<version>-<platform>.tar.gz` (Linux,
 * macOS) or `.zip` (Windows), each holding the binary as `kittify` / `kittify.exe` (mode 0755)
 * with LICENSE and README.md, and `SHA256SUMS` over the archives in `sha256sum` format (so
 * `sha256sum -c` and `shasum -a 256 -c` check them).
 */
import { basename, join } from "node:path";
import { gzipSync, zipSync } from "fflate";
import { binaryName, TARGETS } from "../compile.ts";
import type { Artifact } from "./manifests.ts";

export const PLATFORMS: readonly string[] = Object.values(TARGETS);

export function isWindows(platform: string): boolean {
  return platform.startsWith("windows");
}

/** The archive name of `platform`'s release file. */
export function archiveName(version: string, platform: string): string {
  return `kittify-${version}-${platform}${isWindows(platform) ? ".zip" : ".tar.gz"}`;
}

export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
  mode: number;
}

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar wants.
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** A POSIX ustar archive of `entries` (regular files at the top level). */
export function tar(entries: ArchiveEntry[], mtime: number): Uint8Array {
  const enc = new TextEncoder();
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const header = new Uint8Array(512);
    const put = (text: string, offset: number) => header.set(enc.encode(text), offset);
    if (enc.encode(entry.name).length > 100) {
      throw new Error(`name too long for tar: ${entry.name}`);
    }
    put(entry.name, 0);
    put(octal(entry.mode, 8), 100);
    put(octal(0, 8), 108); // uid
    put(octal(0, 8), 116); // gid
    put(octal(entry.data.length, 12), 124);
    put(octal(Math.floor(mtime / 1000), 12), 136);
    put("        ", 148); // checksum field counts as spaces while summing
    put("0", 156); // regular file
    put("ustar\0", 257);
    put("00", 263);
    put("root", 265);
    put("root", 297);
    const sum = header.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, entry.data);
    const pad = (512 - (entry.data.length % 512)) % 512;
    if (pad) blocks.push(new Uint8Array(pad));
  }
  blocks.push(new Uint8Array(1024)); // two zero blocks end the archive
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

export function tarGz(entries: ArchiveEntry[], mtime: number): Uint8Array {
  return gzipSync(tar(entries, mtime), { level: 9, mtime });
}

export function zip(entries: ArchiveEntry[], mtime: number): Uint8Array {
  return zipSync(
    Object.fromEntries(
      entries.map((
        e,
      ) => [e.name, [e.data, {
        level: 9,
        mtime: new Date(mtime),
        os: 3,
        attrs: (0o100000 | (e.mode & 0o7777)) * 0x10000,
      }]]),
    ),
  );
}

/**
 * The system's `tar`: on Windows its own bsdtar (`System32\tar.exe`, which opens zip files too),
 * not a GNU tar that another tool may have put first on PATH.
 */
export function systemTar(): string {
  return Deno.build.os === "windows"
    ? `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\System32\\tar.exe`
    : "tar";
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `SHA256SUMS` text: `<hex>  <file>` per artifact, in the given order. */
export function sha256sums(artifacts: Artifact[]): string {
  return artifacts.map((a) => `${a.sha256}  ${a.fileName}\n`).join("");
}

/** The artifacts named in a `SHA256SUMS` text, one per platform of this release. */
export function parseSha256sums(text: string, version: string): Artifact[] {
  const byName = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const m = line.match(/^([0-9a-f]{64}) [ *](.+)$/);
    if (!m) throw new Error(`SHA256SUMS: not a checksum line: ${line}`);
    byName.set(m[2], m[1]);
  }
  return PLATFORMS.map((platform) => {
    const fileName = archiveName(version, platform);
    const sha256 = byName.get(fileName);
    if (!sha256) throw new Error(`SHA256SUMS has no line for ${fileName}`);
    return { platform, fileName, sha256 };
  });
}

export interface PackageOptions {
  /** Where `deno task compile` put the binaries. */
  dist: string;
  version: string;
  /** Where the archives and SHA256SUMS go (created). */
  out: string;
  /** Files added beside the binary (LICENSE, README.md). */
  extras: string[];
  /** Modification time of every archived file, in ms (SOURCE_DATE_EPOCH for reproducibility). */
  mtime: number;
}

/** Writes one archive per platform and SHA256SUMS; returns the archives with their checksums. */
export async function packageRelease(opts: PackageOptions): Promise<Artifact[]> {
  await Deno.mkdir(opts.out, { recursive: true });
  const extras: ArchiveEntry[] = [];
  for (const path of opts.extras) {
    extras.push({ name: basename(path), data: await Deno.readFile(path), mode: 0o644 });
  }
  const artifacts: Artifact[] = [];
  for (const platform of PLATFORMS) {
    const binary = join(opts.dist, binaryName(opts.version, platform));
    const data = await Deno.readFile(binary).catch((e) => {
      throw new Error(`no ${platform} binary at ${binary} (run deno task compile first): ${e}`);
    });
    const entries = [
      { name: isWindows(platform) ? "kittify.exe" : "kittify", data, mode: 0o755 },
      ...extras,
    ];
    const archive = isWindows(platform) ? zip(entries, opts.mtime) : tarGz(entries, opts.mtime);
    const fileName = archiveName(opts.version, platform);
    await Deno.writeFile(join(opts.out, fileName), archive);
    artifacts.push({ platform, fileName, sha256: await sha256Hex(archive) });
  }
  await Deno.writeTextFile(join(opts.out, "SHA256SUMS"), sha256sums(artifacts));
  return artifacts;
}
