/** `kittify sync ...`: the group, `sync status` and `sync diagnose`; the others register here. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { EXIT } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import { humanizeSeconds } from "../../sync/age.ts";
import type { DiagnoseReport } from "../../sync/diagnose.ts";
import type { ProbeResult } from "../../sync/probe.ts";
import type { SyncStatus } from "../../sync/status.ts";
import { registerDeadLetters } from "./sync_dead_letters.ts";
import { registerSyncImport } from "./sync_import.ts";
import { registerSyncNow } from "./sync_now.ts";
import { registerSyncServer } from "./sync_server.ts";
import { registerSyncWatch } from "./sync_watch.ts";
import type { CommandContext } from "../context.ts";
import { formatCount, printJson, printRows } from "../output.ts";

const n = formatCount;

function authLine(auth: SyncStatus["auth"]): string {
  if (!auth.logged_in) {
    return auth.username ? `session expired for ${auth.username}` : "not logged in";
  }
  const team = auth.team_slug ? ` (team ${auth.team_slug})` : "";
  return `logged in as ${auth.username ?? "unknown"}${team}`;
}

function when(iso: string | null, now: number): string {
  if (iso === null) return "never";
  return `${iso.slice(0, 19).replace("T", " ")} UTC (${
    humanizeSeconds((now - Date.parse(iso)) / 1000)
  } ago)`;
}

/** Last sync, last failure, failures in a row, who is uploading: a stalled sync is never silent. */
function healthRows(s: SyncStatus): Array<[string, string]> {
  const now = Date.now();
  const h = s.health;
  const rows: Array<[string, string]> = [["Last sync", when(h.last_success_at, now)]];
  if (h.last_failure) {
    rows.push([
      "Last failure",
      `${when(h.last_failure.at, now)}: ${h.last_failure.reason} [${h.last_failure.category}]`,
    ]);
  }
  if (h.consecutive_failures > 0) {
    rows.push(["Failures", `${n(h.consecutive_failures)} in a row since the last success`]);
  }
  if (s.uploader) {
    rows.push([
      "Uploading",
      `pid ${s.uploader.pid} on ${s.uploader.hostname} (${s.uploader.purpose})`,
    ]);
  }
  return rows;
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
    ...healthRows(s),
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
    .description("event sync: deliver now, status, dead letters, the server, diagnostics");
  registerSyncNow(sync, ctx);
  registerSyncWatch(sync, ctx);
  sync
    .command("status")
    .description(
      "show the outbox, sync health, login, server and auto-start (read-only; --check probes " +
        "the server and exits 1 when it is not usable)",
    )
    .option("-c, --check", "also check that the server is reachable and accepts the login")
    .option("--json", "print one JSON object")
    .action(async (opts: { check?: boolean; json?: boolean }) => {
      const { syncStatus } = await load<typeof import("../../sync/status.ts")>(
        new URL("../../sync/status.ts", import.meta.url),
      );
      const status = await syncStatus(Deno.cwd());
      for (const problem of status.problems) warn(problem);
      let check: ProbeResult | null = null;
      if (opts.check) {
        const [{ probeServer }, { kittifyHome }] = await Promise.all([
          load<typeof import("../../sync/probe.ts")>(
            new URL("../../sync/probe.ts", import.meta.url),
          ),
          load<typeof import("../../common/home.ts")>(
            new URL("../../common/home.ts", import.meta.url),
          ),
        ]);
        check = await probeServer({
          home: kittifyHome(),
          serverUrl: status.server_url,
          fetch: globalThis.fetch,
          now: Date.now,
        });
        if (check.status !== "connected") ctx.setExitCode(EXIT.USER);
      }
      if (opts.json) {
        printJson(check ? { ...status, check } : status);
        return;
      }
      printStatus(status);
      console.log("");
      if (check) {
        const label = check.status === "connected"
          ? ink.green(check.status)
          : ink.yellow(check.status);
        printRows([["Check", `${label}: ${check.note}`]]);
      } else {
        console.log(ink.dim("Use `kittify sync status --check` to test the connection."));
      }
    });
  registerDeadLetters(sync);
  registerSyncImport(sync, ctx);
  registerSyncServer(sync);
  sync
    .command("diagnose")
    .description("validate every stored pending and held event (exit 1 if any is invalid)")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const { diagnoseStore } = await load<typeof import("../../sync/diagnose.ts")>(
        new URL("../../sync/diagnose.ts", import.meta.url),
      );
      const report = await diagnoseStore();
      if (opts.json) printJson(report);
      else printDiagnosis(report);
      if (report.invalid > 0) ctx.setExitCode(EXIT.USER);
    });
}
