/**
 * `kittify sync import-spec-kitty [--from FILE] [--dry-run] [--remove-imported] [--json]`: the
 * events still waiting in spec-kitty's offline queue become kittify's, in their order and with
 * their ids and Lamport values (see src/interop/queue_import.ts).
 */
import { exists } from "../../common/stat.ts";
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { EXIT, UsageError, UserError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import type { ImportReport, ImportTarget } from "../../interop/queue_import.ts";
import type { CommandContext } from "../context.ts";
import { formatCount, printJson } from "../output.ts";

interface ImportOptions {
  from?: string;
  dryRun?: boolean;
  removeImported?: boolean;
  json?: boolean;
}

/** What `--json` prints. */
interface ImportJson extends Omit<ImportReport, "taken"> {
  source: string;
  found: boolean;
  dry_run: boolean;
  /** Rows deleted from spec-kitty's queue (`--remove-imported`). */
  removed: number;
}

export function registerSyncImport(sync: Command, ctx: CommandContext): void {
  sync
    .command("import-spec-kitty")
    .description(
      "take over the events waiting in spec-kitty's offline queue (queue.db): same ids, Lamport " +
        "values and order; spec-kitty's queue is left as it is unless --remove-imported",
    )
    .option("--from <file>", "spec-kitty's queue (default: <home>/queue.db)")
    .option("--dry-run", "report what would be imported; change nothing")
    .option("--remove-imported", "delete the rows kittify now has from spec-kitty's queue")
    .option("--json", "print one JSON object")
    .action(async (opts: ImportOptions) => {
      if (opts.dryRun && opts.removeImported) {
        throw new UsageError("--dry-run changes nothing: leave out --remove-imported");
      }
      const [{ join }, { kittifyHome }, { openSpecKittyQueue }, { importQueue }] = await Promise
        .all([
          load<typeof import("../../common/path.ts")>(
            new URL("../../common/path.ts", import.meta.url),
          ),
          load<typeof import("../../common/home.ts")>(
            new URL("../../common/home.ts", import.meta.url),
          ),
          load<typeof import("../../interop/spec_kitty_queue.ts")>(
            new URL("../../interop/spec_kitty_queue.ts", import.meta.url),
          ),
          load<typeof import("../../interop/queue_import.ts")>(
            new URL("../../interop/queue_import.ts", import.meta.url),
          ),
        ]);
      const source = opts.from ?? join(kittifyHome(), "queue.db");
      if (!(await exists(source))) {
        if (opts.from !== undefined) throw new UserError(`no such file: ${source}`);
        report(opts, emptyReport(source, Boolean(opts.dryRun)));
        return;
      }
      const queue = openSpecKittyQueue(source, { write: Boolean(opts.removeImported) });
      try {
        const rows = queue.rows();
        const outbox = opts.dryRun ? await existingOutbox() : await runtimeOutbox(ctx);
        const result = await importQueue(rows, outbox, { dryRun: Boolean(opts.dryRun) });
        const removed = opts.removeImported ? queue.remove(result.taken) : 0;
        const { taken: _taken, ...counts } = result;
        report(opts, { ...counts, source, found: true, dry_run: Boolean(opts.dryRun), removed });
        if (result.invalid.length > 0) ctx.setExitCode(EXIT.USER);
      } finally {
        queue.close();
      }
    });
}

/** The sync runtime's outbox: its clock continues from clock.json, events go at exit. */
async function runtimeOutbox(ctx: CommandContext): Promise<ImportTarget> {
  const [runtime, { importTarget }] = await Promise.all([
    ctx.services.runtimes().then((runtimes) => runtimes.forRoot(null)),
    load<typeof import("../../interop/import_target.ts")>(
      new URL("../../interop/import_target.ts", import.meta.url),
    ),
  ]);
  return importTarget(runtime.store, runtime.outbox, {
    now: Date.now,
    onStored: (outcome) => outcome.event && runtime.stored(outcome.event),
  });
}

/** For a dry run: the user store's outbox if it exists (nothing is created), else none. */
async function existingOutbox(): Promise<ImportTarget> {
  const [{ existingUserKv }, { KvOutbox }, { importTarget }] = await Promise.all([
    load<typeof import("../../store/open.ts")>(new URL("../../store/open.ts", import.meta.url)),
    load<typeof import("../../store/kv_outbox.ts")>(
      new URL("../../store/kv_outbox.ts", import.meta.url),
    ),
    load<typeof import("../../interop/import_target.ts")>(
      new URL("../../interop/import_target.ts", import.meta.url),
    ),
  ]);
  const kv = await existingUserKv();
  if (kv !== null) return importTarget(kv, new KvOutbox(kv), { now: Date.now });
  return {
    knownEvents: () => Promise.resolve(new Set<string>()),
    append: () => Promise.reject(new Error("a dry run stores nothing")),
  };
}

function emptyReport(source: string, dryRun: boolean): ImportJson {
  return {
    source,
    found: false,
    dry_run: dryRun,
    queued: 0,
    imported: 0,
    held: 0,
    duplicates: 0,
    evicted: 0,
    invalid: [],
    removed: 0,
  };
}

function report(opts: ImportOptions, r: ImportJson): void {
  if (opts.json) {
    printJson(r);
    return;
  }
  const n = formatCount;
  if (!r.found) {
    console.log(`No spec-kitty queue at ${r.source}: nothing to import.`);
    return;
  }
  const verb = r.dry_run ? "Would import" : "Imported";
  console.log(
    `${ink.green(verb)} ${n(r.imported)} of ${n(r.queued)} queued event(s) from ${r.source}` +
      (r.held > 0 ? ` (${n(r.held)} without a project: kept here, never sent)` : ""),
  );
  if (r.duplicates > 0) console.log(`${n(r.duplicates)} kittify had already.`);
  if (r.evicted > 0) {
    console.log(ink.yellow(`${n(r.evicted)} dropped: the outbox is full ([sync] max_queue_size)`));
  }
  for (const bad of r.invalid) {
    console.log(ink.yellow(`invalid: row ${bad.row_id} (${bad.event_id}): ${bad.reason}`));
  }
  if (r.invalid.length > 0) {
    console.log(`${n(r.invalid.length)} invalid event(s) left in spec-kitty's queue.`);
  }
  if (r.removed > 0) console.log(`Removed ${n(r.removed)} row(s) from spec-kitty's queue.`);
  if (!r.dry_run && r.imported - r.held > 0) {
    console.log(ink.dim("`kittify sync now` delivers them (or `kittify sync watch`)."));
  }
}
