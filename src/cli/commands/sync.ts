/** `kittify sync status` and `kittify sync diagnose`: the local side of sync (no network). */
import type { Command } from "commander";
import { EXIT } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import { humanizeSeconds } from "../../sync/age.ts";
import type { DiagnoseReport } from "../../sync/diagnose.ts";
import type { SyncStatus } from "../../sync/status.ts";
import type { CommandContext } from "../context.ts";
import { printJson, printRows } from "../output.ts";

const n = (value: number) => value.toLocaleString("en-US");

function authLine(auth: SyncStatus["auth"]): string {
  if (!auth.logged_in) {
    return auth.username ? `session expired for ${auth.username}` : "not logged in";
  }
  const team = auth.team_slug ? ` (team ${auth.team_slug})` : "";
  return `logged in as ${auth.username ?? "unknown"}${team}`;
}

function printStatus(s: SyncStatus): void {
  const q = s.queue;
  printRows([
    ["Server", s.server_url],
    ["Auth", authLine(s.auth)],
    ["Auto-start", s.auto_start ? "on" : "off (sync.auto_start: false)"],
    ["Store", s.store_path],
    ["Lamport clock", n(s.lamport_clock)],
    [
      "Events",
      `${n(q.pending)} pending, ${n(q.held)} held, ${n(q.dead)} dead, ` +
      `${n(q.synced)} recently synced`,
    ],
    ["Evicted", `${n(s.evicted)} (max_queue_size ${n(s.max_queue_size)})`],
  ]);
  if (q.pending === 0) {
    // Held and dead events are not waiting to be sent, but they were not synced either.
    const kept = [
      q.held > 0 ? `${n(q.held)} held (emitted outside a project, never sent)` : "",
      q.dead > 0 ? `${n(q.dead)} dead (quarantined)` : "",
    ].filter(Boolean);
    console.log(
      kept.length === 0
        ? ink.green("Queue empty: nothing waiting to be sent.")
        : `Nothing waiting to be sent; kept on this machine: ${kept.join(", ")}.`,
    );
    return;
  }
  console.log("");
  console.log(ink.bold("Queue health"));
  const age = s.oldest_pending_age_seconds;
  printRows([
    ["Queue depth", `${n(q.pending)} event(s)`],
    ["Oldest event", age === null ? "-" : `${humanizeSeconds(age)} ago`],
    ...Object.entries(s.retry_distribution)
      .filter(([, count]) => count > 0)
      .map(([bucket, count]): [string, string] => [bucket, n(count)]),
  ]);
  console.log("");
  console.log(ink.bold("Top event types"));
  printRows(s.top_event_types.map(({ event_type, count }) => [event_type, n(count)]));
}

function printDiagnosis(report: DiagnoseReport): void {
  if (report.total === 0) {
    console.log("No pending or held events stored.");
    return;
  }
  console.log(
    `Validated ${n(report.total)} event(s): ${n(report.valid)} valid, ${n(report.invalid)} invalid`,
  );
  for (const r of report.results.filter((r) => !r.valid)) {
    console.log(`${ink.yellow("INVALID")} ${r.event_id} (${r.event_type}) [${r.error_category}]`);
    for (const error of r.errors) console.log(`  - ${error}`);
  }
}

export function registerSync(program: Command, ctx: CommandContext): void {
  const sync = program
    .command("sync")
    .description("event sync: queue status and local diagnostics");
  sync
    .command("status")
    .description("show queue depth, evictions, auth state, server URL and auto-start (read-only)")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const { syncStatus } = await import("../../sync/status.ts");
      const status = await syncStatus(Deno.cwd());
      for (const problem of status.problems) warn(problem);
      if (opts.json) printJson(status);
      else printStatus(status);
    });
  sync
    .command("diagnose")
    .description("validate every stored pending and held event (exit 1 if any is invalid)")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const { diagnoseStore } = await import("../../sync/diagnose.ts");
      const report = await diagnoseStore();
      if (opts.json) printJson(report);
      else printDiagnosis(report);
      if (report.invalid > 0) ctx.setExitCode(EXIT.USER);
    });
}
