/** An event that passed screening, on its way into the store. */
import type { Envelope } from "../../events/types.ts";

export interface Candidate {
  /** Position in the request (results keep request order). */
  index: number;
  event: Envelope;
  /** The envelope's JSON as stored (text, or UTF-8 bytes for a long one). */
  stored: string | Uint8Array;
}
