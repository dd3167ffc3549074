/**
 * The protocol version header. Clients send `X-Spec-Kitty-Sync-Protocol: 2.0` (what the last
 * upstream client sent); a request without it is treated as 2.0 (older spec-kitty clients do not
 * send it). A version this server does not speak is answered 412 with guidance.
 */

export const PROTOCOL_HEADER = "X-Spec-Kitty-Sync-Protocol";
export const PROTOCOL_VERSION = "2.0";
/** Major versions spoken here. */
const SUPPORTED_MAJOR = 2;

/** Why a request's protocol version is not spoken here, or null when it is (or absent). */
export function unsupportedVersion(header: string | null | undefined): string | null {
  if (header === null || header === undefined || header.trim() === "") return null;
  const match = /^(\d+)(?:\.\d+)*$/.exec(header.trim());
  if (match && Number(match[1]) === SUPPORTED_MAJOR) return null;
  return `this server speaks sync protocol ${PROTOCOL_VERSION} (${PROTOCOL_HEADER}); ` +
    `the client sent ${JSON.stringify(header.slice(0, 40))}: use a kittify or spec-kitty ` +
    `release that speaks ${SUPPORTED_MAJOR}.x`;
}
