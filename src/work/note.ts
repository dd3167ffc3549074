/** `note WPnn TEXT`: one HistoryAdded on a work package (the event is the whole effect). */
import { UserError } from "../common/errors.ts";
import { actorArgument } from "./actor.ts";
import { HISTORY_ENTRY_TYPES, historyAdded, type HistoryEntryType } from "./events.ts";
import { warn } from "../common/warnings.ts";
import { notStoredWarning } from "../sync/emitter.ts";
import { locateWorkPackage, type Project, resolveFeature, wpIdArgument } from "./target.ts";

export interface NoteReport {
  feature: string;
  wp_id: string;
  entry_type: HistoryEntryType;
  entry_content: string;
  author: string;
}

function entryType(value: string | undefined): HistoryEntryType {
  const type = (value ?? "note").trim().toLowerCase();
  if (!(HISTORY_ENTRY_TYPES as readonly string[]).includes(type)) {
    throw new UserError(`unknown note type '${value}'`, {
      hint: `use one of ${HISTORY_ENTRY_TYPES.join(", ")}`,
    });
  }
  return type as HistoryEntryType;
}

export async function addNote(
  project: Project,
  options: { wp: string; text: string; type?: string; author?: string; feature?: string },
): Promise<NoteReport> {
  const id = wpIdArgument(options.wp);
  const type = entryType(options.type);
  const author = actorArgument(options.author, "--author");
  const content = options.text.trim();
  if (content === "") throw new UserError("the note cannot be empty");
  const target = await resolveFeature(project, options.feature);
  await locateWorkPackage(target, id);
  // The event is the note itself: when it cannot be stored (the emitter has said why), the
  // command failed.
  const event = historyAdded(id, type, content, author);
  const problem = notStoredWarning(event, await target.emitter.emit(event));
  if (problem) {
    warn(problem);
    throw new UserError(`the ${type} on ${id} was not recorded`);
  }
  return { feature: target.feature, wp_id: id, entry_type: type, entry_content: content, author };
}
