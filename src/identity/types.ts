/** A project's identity as every event carries it (DESIGN.md §4). */
export interface ProjectIdentity {
  /** UUID4, lowercase, hyphenated. */
  project_uuid: string;
  /** kebab-case, never empty. */
  project_slug: string;
  /** First 12 hex chars of SHA-256(`hostname:username`). */
  node_id: string;
  /** `owner/repo` from the config override or the origin remote; null when unknown. */
  repo_slug: string | null;
}

/**
 * Where the identity came from: `config` (read from or written to `.kittify/config.yaml`),
 * `fallback` (kept in the user store because the config cannot be written or is broken),
 * `memory` (nothing writable: this process only).
 */
export type IdentitySource = "config" | "fallback" | "memory";

export interface ResolvedIdentity {
  identity: ProjectIdentity;
  source: IdentitySource;
  repoRoot: string;
  configPath: string;
  /** `sync.auto_start` of this config (only an explicit false disables; true if unreadable). */
  autoStart: boolean;
}

/** The identity fields stored under `project:` in config.yaml. */
export interface StoredFields {
  uuid?: string;
  slug?: string;
  node_id?: string;
}

export const UUID4_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid4(value: unknown): value is string {
  return typeof value === "string" && UUID4_PATTERN.test(value);
}
