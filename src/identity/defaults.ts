/** Generates the values of missing identity fields for one repository. */
import { basename } from "../common/path.ts";
import { originUrl } from "../git/facts.ts";
import { localNodeId } from "./node_id.ts";
import { parseRepoSlug, projectSlug } from "./slug.ts";
import type { StoredFields } from "./types.ts";

/** Lazily looks up the origin remote of a repository (one git process at most). */
export class RepoFacts {
  #origin?: Promise<string | null>;
  constructor(readonly repoRoot: string) {}

  origin(): Promise<string | null> {
    this.#origin ??= originUrl(this.repoRoot);
    return this.#origin;
  }

  async repoSlug(override: string | null): Promise<string | null> {
    if (override) return override;
    const origin = await this.origin();
    return origin ? parseRepoSlug(origin) : null;
  }

  /** Values for every field in `missing` (others are left out of the git lookups). */
  async defaults(existing: StoredFields, slugHint?: string): Promise<Required<StoredFields>> {
    const slug = existing.slug ?? slugHint ??
      projectSlug(await this.origin(), basename(this.repoRoot));
    return {
      uuid: existing.uuid ?? crypto.randomUUID(),
      slug,
      node_id: existing.node_id ?? await localNodeId(),
    };
  }
}
