/** The JWT signing secret: 256 random bits generated on first start and kept in the store. */
import { retryLocked } from "../../../store/retry.ts";
import { SIGNING_KEY } from "./keys.ts";

export async function loadSigningKey(kv: Deno.Kv): Promise<Uint8Array> {
  for (;;) {
    const existing = await kv.get<string>(SIGNING_KEY);
    if (existing.value !== null) {
      return Uint8Array.from(atob(existing.value), (c) => c.charCodeAt(0));
    }
    const fresh = crypto.getRandomValues(new Uint8Array(32));
    const encoded = btoa(String.fromCharCode(...fresh));
    const result = await retryLocked(() =>
      kv.atomic().check({ key: SIGNING_KEY, versionstamp: null }).set(SIGNING_KEY, encoded)
        .commit()
    );
    // Another server process sharing the store may have won the race: read its key.
    if (result.ok) return fresh;
  }
}
