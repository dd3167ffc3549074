/** `kittify identity [--json]`: show (and backfill) the project identity. */
import type { Command } from "commander";
import type { ResolvedIdentity } from "../../identity/types.ts";
import { printJson, printRows } from "../output.ts";

export function identityJson(r: ResolvedIdentity) {
  return {
    project_uuid: r.identity.project_uuid,
    project_slug: r.identity.project_slug,
    node_id: r.identity.node_id,
    repo_slug: r.identity.repo_slug,
    source: r.source,
    config_path: r.configPath,
  };
}

export function printIdentity(r: ResolvedIdentity): void {
  printRows([
    ["project_uuid", r.identity.project_uuid],
    ["project_slug", r.identity.project_slug],
    ["node_id", r.identity.node_id],
    ["repo_slug", r.identity.repo_slug ?? "-"],
    ["source", r.source],
    ["config_path", r.configPath],
  ]);
}

export function registerIdentity(program: Command): void {
  program
    .command("identity")
    .description("show this project's identity (filling in missing fields)")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const { resolveIdentity } = await import("../../identity/resolve.ts");
      const resolved = await resolveIdentity();
      if (opts.json) printJson(identityJson(resolved));
      else printIdentity(resolved);
    });
}
