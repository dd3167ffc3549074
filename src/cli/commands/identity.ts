/** `kittify identity [--json]`: show (and backfill) the project identity. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
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
      const { resolveIdentity } = await load<typeof import("../../identity/resolve.ts")>(
        new URL("../../identity/resolve.ts", import.meta.url),
      );
      const resolved = await resolveIdentity();
      if (opts.json) printJson(identityJson(resolved));
      else printIdentity(resolved);
    });
}
