/** `kittify move WPnn --to LANE`: change a work package's lane. */
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { laneValue } from "../option_values.ts";
import type { CommandContext } from "../context.ts";
import { ink } from "../../common/style.ts";
import { laneChoices } from "../../work/lanes.ts";
import type { MoveOptions } from "../../work/move.ts";
import { printJson } from "../output.ts";
import { describeStatusChange } from "./implement.ts";

export function registerMove(program: Command, ctx: CommandContext): void {
  program
    .command("move")
    .description("move a work package to another lane (one WPStatusChanged)")
    .argument("<wp>", "work package id, e.g. WP01")
    .requiredOption("--to <lane>", `target lane: ${laneChoices()}`, laneValue)
    .option("--actor <name>", "who moves it (default: user)")
    .option("--force", "allow a transition outside the status model (needs --reason)")
    .option("--reason <text>", "why the move is forced")
    .option("--note <text>", "also record this note (one HistoryAdded)")
    .option("--feature <slug>", "feature (default: from the branch, or the only one)")
    .option("--json", "print one JSON object")
    .action(async (wp: string, opts: Omit<MoveOptions, "wp"> & { json?: boolean }) => {
      const [{ move }, project] = await inProject<typeof import("../../work/move.ts")>(
        ctx,
        new URL("../../work/move.ts", import.meta.url),
      );
      const report = await move(project, { wp, ...opts });
      if (opts.json) return printJson(report);
      console.log(describeStatusChange(report));
      if (report.forced) console.log(ink.yellow(`forced: ${report.reason}`));
      if (report.note_recorded) console.log(`note recorded on ${report.wp_id}`);
    });
}
