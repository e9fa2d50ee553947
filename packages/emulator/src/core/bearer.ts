import { type VerifiedToken, verifyAccessToken } from "./access-token.js";
import type { AppContext } from "./http.js";
import type { EmulatorState } from "./state.js";

/** The outcome of authorizing one API call: the verified token, or the error response to send. */
export type Authorization = { ok: true; token: VerifiedToken } | { ok: false; response: Response };

/**
 * The request's bearer token verified for one resource (signature, issuer,
 * audience, lifetime), with the caller's tenant and client noted in the
 * journal; or why it was refused (`reason` is null when there is no bearer
 * token at all). Each API words the 401 its own way.
 */
export async function bearerToken(
  state: EmulatorState,
  c: AppContext,
  resource: "mde" | "graph",
): Promise<{ ok: true; token: VerifiedToken } | { ok: false; reason: string | null }> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) return { ok: false, reason: null };
  const verified = await verifyAccessToken(state, match[1], resource);
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const journal = c.get("journal");
  journal.tenantId = verified.tenantId;
  journal.clientId = verified.clientId;
  const { ok: _ok, ...token } = verified;
  return { ok: true, token };
}

/**
 * Whether a token's roles grant any of the operation's roles, compared
 * case-insensitively: the docs spell `URL.Read.All` where tokens carry
 * `Url.Read.All` (mde-api.md §1.10).
 */
export function grantsAny(granted: readonly string[], required: readonly string[]): boolean {
  const held = new Set(granted.map((r) => r.toLowerCase()));
  return required.some((r) => held.has(r.toLowerCase()));
}
