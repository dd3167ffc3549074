/** `sync diagnose`: validates every stored pending and held event (read-only, no network). */
import { validateEnvelope } from "../events/validate.ts";
import type { OutboxState } from "../store/keys.ts";
import { existingUserKv } from "../store/open.ts";
import type { OutboxRecord } from "../store/records.ts";
import { listState } from "../store/read.ts";
import { type ErrorCategory, errorCategory } from "./error_category.ts";

export interface DiagnoseResult {
  event_id: string;
  event_type: string;
  state: OutboxState;
  valid: boolean;
  errors: string[];
  /** Category of the first error; "" when valid. */
  error_category: ErrorCategory | "";
}

export interface DiagnoseReport {
  total: number;
  valid: number;
  invalid: number;
  results: DiagnoseResult[];
}

const label = (v: unknown) => typeof v === "string" && v !== "" ? v : "unknown";

/** The diagnosis of one stored record. */
export function diagnoseRecord(state: OutboxState, record: OutboxRecord): DiagnoseResult {
  const event = (record as Partial<OutboxRecord> | null)?.event as unknown;
  const errors = validateEnvelope(event);
  const fields = (typeof event === "object" && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  return {
    event_id: label(fields.event_id),
    event_type: label(fields.event_type),
    state,
    valid: errors.length === 0,
    errors,
    error_category: errors.length === 0 ? "" : errorCategory(errors[0]),
  };
}

export async function diagnoseStore(): Promise<DiagnoseReport> {
  const kv = await existingUserKv();
  const results: DiagnoseResult[] = [];
  if (kv !== null) {
    for (const state of ["pending", "held"] as const) {
      for (const entry of await listState(kv, state)) {
        results.push(diagnoseRecord(state, entry.record));
      }
    }
  }
  const valid = results.filter((r) => r.valid).length;
  return { total: results.length, valid, invalid: results.length - valid, results };
}
