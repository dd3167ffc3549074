/**
 * The checks an incoming event passes before it touches the store (pure): the shared envelope
 * validation of src/events/validate.ts, the store's size limit, and the server's own rule that an
 * event must belong to a project.
 */
import { MAX_EVENT_BYTES } from "../../events/size.ts";
import { validateEnvelope } from "../../events/validate.ts";
import type { Envelope } from "../../events/types.ts";

/**
 * Fields the view uses as keys or order keys stay short: Deno KV keys are limited to 2 KiB and
 * values to 64 KiB.
 */
export const MAX_KEY_TEXT = 200;

const encoder = new TextEncoder();

export type Screened =
  /** `stored`: the envelope's JSON as the store keeps it (see {@link StoredEvent}). */
  | { ok: true; event: Envelope; stored: string | Uint8Array }
  | { ok: false; eventId: string | null; error: string };

export function screenEvent(item: unknown): Screened {
  const eventId = idOf(item);
  const problems = validateEnvelope(item);
  if (problems.length > 0) {
    return { ok: false, eventId, error: `Invalid event: ${problems.join("; ")}` };
  }
  const event = item as Envelope;
  if (event.project_uuid === null) {
    return {
      ok: false,
      eventId,
      error: "Invalid event: project_uuid is missing (events outside a project stay local)",
    };
  }
  const unusable = unusableKeyText(event);
  if (unusable) return { ok: false, eventId, error: `Invalid event: ${unusable}` };
  const json = JSON.stringify(event);
  const utf8 = json.length * 3 <= MAX_EVENT_BYTES ? undefined : encoder.encode(json);
  const bytes = utf8?.length ?? json.length;
  if (bytes > MAX_EVENT_BYTES) {
    return {
      ok: false,
      eventId,
      error: `Invalid event: ${bytes} bytes encoded, more than the ${MAX_EVENT_BYTES} allowed`,
    };
  }
  // V8 keeps a string with any character above U+00FF as UTF-16: a 40 KB mostly-ASCII envelope
  // with one '€' would serialise to 80 KB, over Deno KV's 64 KiB value limit, and fail the commit
  // of its whole batch. Envelopes short enough to fit even as UTF-16 (nearly all) stay strings;
  // longer ones are stored as their UTF-8 bytes, which the limit above makes fit.
  const stored = utf8 === undefined || json.length * 2 <= MAX_EVENT_BYTES ? json : utf8;
  return { ok: true, event, stored };
}

/**
 * What is wrong with the texts that become parts of store keys (the view's rows are keyed by
 * them): at most MAX_KEY_TEXT characters, and text every store can hold as a key — no U+0000
 * and no unpaired surrogate (PostgreSQL refuses the first and turns every one of the second into
 * U+FFFD, so two different slugs would become one key).
 */
function unusableKeyText(event: Envelope): string | undefined {
  const texts: Array<[string, unknown]> = [
    ["node_id", event.node_id],
    ["payload.feature_slug", event.payload.feature_slug],
  ];
  for (const [name, text] of texts) {
    if (typeof text !== "string") continue;
    if (text.length > MAX_KEY_TEXT) return `${name} is longer than ${MAX_KEY_TEXT} characters`;
    if (text.includes("\u0000") || !text.isWellFormed()) {
      return `${name} holds a NUL character or an unpaired surrogate`;
    }
  }
  return undefined;
}

/** The event_id of an item if it has a string one (for results of rejected items). */
export function idOf(item: unknown): string | null {
  if (typeof item !== "object" || item === null) return null;
  const id = (item as { event_id?: unknown }).event_id;
  return typeof id === "string" ? id : null;
}
