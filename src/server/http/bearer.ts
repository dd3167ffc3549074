/** The `Authorization: Bearer <token>` header. */
import type { Principal, TokenService } from "../auth/tokens.ts";
import { TokenRejected } from "../auth/tokens.ts";

/** The token of a Bearer header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

export type Authorised = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Verifies the request's Bearer token as a token of `kind`. */
export async function authorise(
  tokens: TokenService,
  header: string | null | undefined,
  kind: "access" | "ws",
): Promise<Authorised> {
  const token = bearerToken(header);
  if (!token) return { ok: false, reason: "missing Bearer token" };
  try {
    return { ok: true, principal: await tokens.verify(token, kind) };
  } catch (err) {
    if (err instanceof TokenRejected) return { ok: false, reason: err.reason };
    throw err;
  }
}
