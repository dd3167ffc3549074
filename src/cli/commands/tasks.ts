/** `kittify tasks add|finalize|list`: the work packages of a feature. */
import { load } from "../../common/load.ts";
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { laneValue } from "../option_values.ts";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import type { TaskListEntry } from "../../work/task_list.ts";
import type { CommandContext } from "../context.ts";
import { printJson } from "../output.ts";

const FEATURE_HELP = "feature (default: from the branch, or the only one)";

async function printTaskTable(entries: TaskListEntry[]): Promise<void> {
  const { printTable } = await load<typeof import("../table.ts")>(
    new URL("../table.ts", import.meta.url),
  );
  const rows = entries.map((e) => [e.wp_id, e.lane, e.title, e.dependencies.join(",") || "-"]);
  await printTable(["WP", "LANE", "TITLE", "DEPENDS ON"], rows, { flexible: 2 });
}

function registerAdd(tasks: Command, ctx: CommandContext): void {
  tasks
    .command("add")
    .description("add the next work package (WPnn-<title>.md) in lane planned")
    .argument("<title>", "what the work package delivers")
    .option("--depends <ids>", "work packages it waits for, e.g. WP01,WP02")
    .option("--feature <slug>", FEATURE_HELP)
    .option("--json", "print one JSON object")
    .action(async (title: string, opts: { depends?: string; feature?: string; json?: boolean }) => {
      const [{ addTask }, project] = await inProject<typeof import("../../work/task_add.ts")>(
        ctx,
        new URL("../../work/task_add.ts", import.meta.url),
      );
      const entry = await addTask(project, { title, ...opts });
      if (opts.json) return printJson(entry);
      console.log(`${ink.green("Added")} ${ink.bold(entry.wp_id)} “${entry.title}”: ${entry.path}`);
    });
}

function registerFinalize(tasks: Command, ctx: CommandContext): void {
  tasks
    .command("finalize")
    .description("announce every new work package (one WPCreated each, one shared causation)")
    .option("--feature <slug>", FEATURE_HELP)
    .option("--json", "print one JSON object")
    .action(async (opts: { feature?: string; json?: boolean }) => {
      const [{ finalizeTasks }, project] = await inProject<
        typeof import("../../work/tasks_finalize.ts")
      >(
        ctx,
        new URL("../../work/tasks_finalize.ts", import.meta.url),
      );
      const report = await finalizeTasks(project, opts);
      if (report.failed.length > 0) ctx.setExitCode(1);
      if (opts.json) return printJson(report);
      if (report.announced.length > 0) {
        console.log(
          `${ink.green("Announced")} ${report.announced.length} work package(s) of ` +
            `${report.feature}: ${report.announced.join(", ")} ` +
            ink.dim(`(causation ${report.causation_id})`),
        );
      } else {
        console.log(`Nothing new to announce in ${report.feature}`);
      }
      if (report.already_announced.length > 0) {
        console.log(ink.dim(`already announced: ${report.already_announced.join(", ")}`));
      }
      if (report.failed.length > 0) {
        warn(`not announced (run finalize again): ${report.failed.join(", ")}`);
      }
    });
}

function registerList(tasks: Command, ctx: CommandContext): void {
  tasks
    .command("list")
    .description("list the work packages of a feature")
    .option("--lane <lane>", "only work packages in this lane", laneValue)
    .option("--feature <slug>", FEATURE_HELP)
    .option("--json", 'print one JSON array of {"feature", "wp_id", "title", "lane", ...}')
    .action(async (opts: { lane?: string; feature?: string; json?: boolean }) => {
      const [{ listTasks }, project] = await inProject<typeof import("../../work/task_list.ts")>(
        ctx,
        new URL("../../work/task_list.ts", import.meta.url),
      );
      const report = await listTasks(project, opts);
      for (const p of report.problems) warn(`skipping ${p.path}: ${p.reason}`);
      if (opts.json) return printJson(report.entries);
      if (report.entries.length === 0) {
        console.log(`No work packages in ${report.feature}${opts.lane ? ` (${opts.lane})` : ""}`);
        return;
      }
      await printTaskTable(report.entries);
    });
}

export function registerTasks(program: Command, ctx: CommandContext): void {
  const tasks = program
    .command("tasks")
    .description("add, announce and list the work packages of a feature");
  registerAdd(tasks, ctx);
  registerFinalize(tasks, ctx);
  registerList(tasks, ctx);
}
