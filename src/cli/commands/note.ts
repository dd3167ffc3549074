/** `kittify note WPnn TEXT`: record a note on a work package (one HistoryAdded). */
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { noteTypeValue } from "../option_values.ts";
import type { CommandContext } from "../context.ts";
import { printJson } from "../output.ts";

interface NoteOptions {
  type?: string;
  author?: string;
  feature?: string;
  json?: boolean;
}

export function registerNote(program: Command, ctx: CommandContext): void {
  program
    .command("note")
    .description("record a note, review remark or comment on a work package")
    .argument("<wp>", "work package id, e.g. WP01")
    .argument("<text>", "the note")
    .option("--type <type>", "note, review or comment", noteTypeValue, "note")
    .option("--author <name>", "who writes it (default: user)")
    .option("--feature <slug>", "feature (default: from the branch, or the only one)")
    .option("--json", "print one JSON object")
    .action(async (wp: string, text: string, opts: NoteOptions) => {
      const [{ addNote }, project] = await inProject<typeof import("../../work/note.ts")>(
        ctx,
        new URL("../../work/note.ts", import.meta.url),
      );
      const report = await addNote(project, { wp, text, ...opts });
      if (opts.json) printJson(report);
      else console.log(`${report.entry_type} recorded on ${report.wp_id} (by ${report.author})`);
    });
}
