/** `kittify accept`: accept every reviewed work package of a feature (for_review → done). */
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import type { CommandContext } from "../context.ts";
import { UserError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import type { AcceptReport } from "../../work/accept.ts";
import { printJson } from "../output.ts";

function printReport(report: AcceptReport): void {
  if (report.accepted.length > 0) {
    const ids = report.accepted.map((a) => a.wp_id).join(", ");
    console.log(`${ink.green("Accepted")} ${ids} (for_review → done)`);
  } else if (report.ok) {
    console.log(`Nothing in for_review in ${report.feature}`);
  }
  // Ids and lanes are ASCII: padded by length, the title last, so the columns line up.
  const ids = report.outstanding.map((o) => o.wp_id ?? "?");
  const lanes = report.outstanding.map((o) => o.lane ?? "unreadable");
  const idWidth = Math.max(0, ...ids.map((id) => id.length));
  const laneWidth = Math.max(0, ...lanes.map((lane) => lane.length));
  report.outstanding.forEach((o, i) => {
    console.log(
      `${ink.yellow("outstanding")}  ${ids[i].padEnd(idWidth)}  ${lanes[i].padEnd(laneWidth)}  ` +
        (o.title ?? o.problem ?? ""),
    );
  });
  if (report.complete) {
    const what = `all ${report.total_wps} work packages of ${report.feature} are finished`;
    console.log(`${ink.green("Complete:")} ${what}`);
  }
}

export function registerAccept(program: Command, ctx: CommandContext): void {
  program
    .command("accept")
    .description("accept reviewed work: every for_review work package → done")
    .option("--allow-incomplete", "accept even while other work packages are outstanding")
    .option("--feature <slug>", "feature (default: from the branch, or the only one)")
    .option("--json", "print one JSON object")
    .action(async (opts: { allowIncomplete?: boolean; feature?: string; json?: boolean }) => {
      const [{ accept, AcceptFailedError }, project] = await inProject<
        typeof import("../../work/accept.ts")
      >(ctx, new URL("../../work/accept.ts", import.meta.url));
      let report: AcceptReport;
      try {
        report = await accept(project, opts);
      } catch (err) {
        if (!(err instanceof AcceptFailedError)) throw err;
        // What was accepted stands: report it, then fail with the reason(s).
        if (opts.json) printJson(err.report);
        else printReport(err.report);
        if (err.errors.length === 1) throw err.errors[0];
        for (const e of err.errors) warn(e instanceof Error ? e.message : String(e));
        throw new UserError(err.message);
      }
      if (opts.json) printJson(report);
      else printReport(report);
      if (!report.ok) {
        throw new UserError(
          `${report.outstanding.length} work package(s) of ${report.feature} are outstanding; ` +
            "nothing was accepted",
          { hint: "finish or cancel them first, or pass --allow-incomplete" },
        );
      }
    });
}
