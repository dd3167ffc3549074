/** `kittify implement WPnn`: start a planned work package (planned → in_progress). */
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import type { CommandContext } from "../context.ts";
import { ink } from "../../common/style.ts";
import type { StatusChangeReport } from "../../work/status_change.ts";
import { printJson } from "../output.ts";

/** `WP01: planned → in_progress (actor: user)`, or why nothing changed. */
export function describeStatusChange(report: StatusChangeReport): string {
  if (!report.changed) {
    return `${report.wp_id} is already ${report.to_lane}; nothing changed`;
  }
  return `${ink.bold(report.wp_id)}: ${report.from_lane} → ${ink.green(report.to_lane)} ` +
    `(actor: ${report.actor})`;
}

export function registerImplement(program: Command, ctx: CommandContext): void {
  program
    .command("implement")
    .description("start a planned work package: planned → in_progress, one WPStatusChanged")
    .argument("<wp>", "work package id, e.g. WP01")
    .option("--agent <name>", "who implements it (the event's actor; default: user)")
    .option("--feature <slug>", "feature (default: from the branch, or the only one)")
    .option("--json", "print one JSON object")
    .action(async (wp: string, opts: { agent?: string; feature?: string; json?: boolean }) => {
      const [{ implement }, project] = await inProject<typeof import("../../work/implement.ts")>(
        ctx,
        new URL("../../work/implement.ts", import.meta.url),
      );
      const report = await implement(project, { wp, ...opts });
      if (opts.json) printJson(report);
      else console.log(describeStatusChange(report));
    });
}
