/** `kittify sync now [--report FILE] [--strict|--no-strict] [--json]`: deliver everything now. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { describeError, EXIT, UserError } from "../../common/errors.ts";
import { dirname, resolve } from "../../common/path.ts";
import { statOrNull } from "../../common/stat.ts";
import { ink, paint } from "../../common/style.ts";
import type { SyncNowSummary } from "../../sync/summary.ts";
import type { CommandContext } from "../context.ts";
import { formatCount, printJson } from "../output.ts";
import { progressBar } from "../progress.ts";

const n = formatCount;

function printSummary(s: SyncNowSummary): void {
  console.log(
    `Synced: ${ink.green(n(s.synced))}  Duplicates: ${n(s.duplicates)}  ` +
      `Failed: ${s.failed > 0 ? ink.yellow(n(s.failed)) : "0"}  Dead: ${n(s.dead)}  ` +
      `Remaining: ${n(s.remaining)}`,
  );
  if (s.unanswered > 0) {
    console.log(
      ink.yellow(`  the server did not answer for ${n(s.unanswered)} event(s); they wait`),
    );
  }
  for (const c of s.categories) {
    console.log(ink.yellow(`  ${c.category}: ${n(c.count)}  -- ${c.action}`));
  }
  if (s.stopped) {
    console.log(`Stopped: ${s.stopped.reason}`);
    if (s.stopped.hint) console.log(ink.dim(`  ${s.stopped.hint}`));
  }
  if (s.dead_letters > 0) {
    console.log(
      `${n(s.dead_letters)} dead letter(s) kept aside: \`kittify sync dead-letter list\``,
    );
  }
}

interface NowOptions {
  report?: string;
  strict: boolean;
  json?: boolean;
}

export function registerSyncNow(sync: Command, ctx: CommandContext): void {
  sync
    .command("now")
    .description("deliver every pending event now (exit 1 on failures unless --no-strict)")
    .option("--report <file>", "write the failures of this run to a JSON file")
    .option("--strict", "exit 1 when any event failed or events are left", true)
    .option("--no-strict", "exit 0 whatever happened")
    .option("--json", "print one JSON object")
    .action(async (opts: NowOptions) => {
      const [{ syncNow, SYNC_NOW_RETRIES }, { failureReport, strictFailure }, { kittifyHome }] =
        await Promise.all([
          load<typeof import("../../sync/sync_now.ts")>(
            new URL("../../sync/sync_now.ts", import.meta.url),
          ),
          load<typeof import("../../sync/summary.ts")>(
            new URL("../../sync/summary.ts", import.meta.url),
          ),
          load<typeof import("../../common/home.ts")>(
            new URL("../../common/home.ts", import.meta.url),
          ),
        ]);
      // A report that could not be written is said before anything is delivered.
      if (opts.report) await checkReportPath(opts.report);
      // Lane changes a killed command left half done are settled first (work/intents.ts).
      const [{ settleIntents }, { emitter }] = await Promise.all([
        load<typeof import("../../work/intents.ts")>(
          new URL("../../work/intents.ts", import.meta.url),
        ),
        ctx.services.workspace(Deno.cwd()),
      ]);
      await settleIntents(emitter);
      const runtime = await (await ctx.services.runtimes()).forRoot(null);
      let bar = progressBar("", 0);
      const result = await syncNow({
        home: kittifyHome(),
        serverUrl: runtime.settings.serverUrl,
        outbox: runtime.outbox,
        fetch: globalThis.fetch,
        now: Date.now,
      }, {
        onStart: (pending) => {
          if (!opts.json) {
            console.error(`Syncing ${n(pending)} event(s) to ${runtime.settings.serverUrl} ...`);
          }
          bar = progressBar("Delivering", pending, !opts.json);
        },
        onProgress: (handled) => bar.update(handled),
        onRetry: (retry) =>
          console.error(
            paint.dim(
              `${retry.reason}; retrying in ${(retry.delayMs / 1000).toFixed(1)} s ` +
                `(attempt ${retry.attempt + 1} of ${SYNC_NOW_RETRIES + 1})`,
            ),
          ),
        onWaiting: (holder) =>
          console.error(
            paint.dim(
              `waiting for kittify pid ${holder.pid} (${holder.purpose}), which is delivering ...`,
            ),
          ),
      }).finally(() => bar.done());
      if (result.kind === "empty") {
        if (opts.json) {
          printJson({ synced: 0, duplicates: 0, failed: 0, dead: 0, remaining: 0, ...result });
        } else {
          console.log("Queue is empty, nothing to sync.");
        }
        return;
      }
      const summary = result.summary;
      let reportError: string | null = null;
      if (opts.report) {
        if (summary.failures.length > 0) {
          const report = failureReport(summary, new Date());
          try {
            await Deno.writeTextFile(opts.report, `${JSON.stringify(report, null, 2)}\n`);
            if (!opts.json) console.error(`Failure report written to ${opts.report}`);
          } catch (err) {
            reportError = `the failure report could not be written to ${opts.report} ` +
              `(${describeError(err)})`;
          }
        } else if (!opts.json) {
          console.error("No failures to report.");
        }
      }
      if (opts.json) printJson(summary);
      else printSummary(summary);
      // The summary of what was delivered comes first: it happened whatever became of the file.
      if (reportError !== null) {
        console.error(`${paint.red("error:")} ${reportError}`);
        ctx.setExitCode(EXIT.USER);
      }
      if (opts.strict && strictFailure(summary)) ctx.setExitCode(EXIT.USER);
    });
}

/** `--report FILE` must name a file in a folder that exists (checked before delivering). */
async function checkReportPath(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  let target: Deno.FileInfo | null;
  let parent: Deno.FileInfo | null;
  try {
    [target, parent] = await Promise.all([statOrNull(path), statOrNull(folder)]);
  } catch (err) {
    // A file on the way (not a folder), a folder that cannot be looked into, ...
    throw new UserError(`--report ${path} cannot be written (${describeError(err)})`);
  }
  if (target?.isDirectory) {
    throw new UserError(`--report ${path} is a folder: name a file to write the report to`);
  }
  if (!parent?.isDirectory) {
    throw new UserError(`--report ${path}: the folder ${folder} does not exist`);
  }
}
