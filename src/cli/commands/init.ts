/** `kittify init [--slug S] [--repair]`: give this project a stable identity. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import type { InitReport } from "../../identity/init.ts";
import { ink } from "../../common/style.ts";
import { printJson } from "../output.ts";
import { identityJson, printIdentity } from "./identity.ts";

function describe(report: InitReport): string {
  const path = report.resolved.configPath;
  switch (report.action) {
    case "created":
      return `Created ${path}`;
    case "filled":
      return `Filled in ${report.filled.join(", ")} in ${path}`;
    case "repaired":
      return `Moved the broken config to ${report.backup} and wrote a fresh ${path}`;
    case "unchanged":
      return `Already initialised: ${path} is complete, nothing changed`;
  }
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("create .kittify/config.yaml with a stable project identity (idempotent)")
    .option("--slug <slug>", "project slug to use if none is set (default: from origin or dir)")
    .option("--repair", "back up a broken config.yaml and write a fresh one (keeps its uuid)")
    .option("--json", "print one JSON object")
    .action(async (opts: { slug?: string; repair?: boolean; json?: boolean }) => {
      const { initProject } = await load<typeof import("../../identity/init.ts")>(
        new URL("../../identity/init.ts", import.meta.url),
      );
      const report = await initProject(Deno.cwd(), { slug: opts.slug, repair: opts.repair });
      if (opts.json) {
        printJson({
          action: report.action,
          filled: report.filled,
          backup: report.backup,
          notes: report.notes,
          identity: identityJson(report.resolved),
        });
        return;
      }
      console.log(ink.green(describe(report)));
      for (const note of report.notes) console.log(ink.dim(`note: ${note}`));
      printIdentity(report.resolved);
    });
}
