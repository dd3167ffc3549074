/**
 * Keyword categories for event errors (reference §8.3, plus `authorization`): first match wins,
 * in this order.
 */

export const ERROR_CATEGORIES = {
  /** Checked first: another team owns the project (the original called this "Invalid schema"). */
  authorization: ["authorization", "permission", "forbidden", "not allowed"],
  schema_mismatch: ["invalid", "schema", "field", "missing", "type"],
  auth_expired: ["token", "expired", "unauthorized", "401"],
  server_error: ["internal", "500", "timeout", "unavailable"],
} as const;

export type ErrorCategory = keyof typeof ERROR_CATEGORIES | "unknown";

export function errorCategory(text: string): ErrorCategory {
  const lower = text.toLowerCase();
  for (const [category, words] of Object.entries(ERROR_CATEGORIES)) {
    if (words.some((w) => lower.includes(w))) return category as ErrorCategory;
  }
  return "unknown";
}
