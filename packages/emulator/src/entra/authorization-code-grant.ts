import { createHash, timingSafeEqual } from "node:crypto";
import type { EmulatorState, PartnerApp, Tenant } from "../core/state.js";
import { findUser } from "../core/users.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";
import { userTokenResponse } from "./user-tokens.js";

/** A token request of a user grant, after the client has authenticated. */
export interface UserGrantRequest {
  params: Map<string, string>;
  app: PartnerApp;
  /** The tenant of the token URL (an alias resolves to the app's home tenant). */
  tenant: Tenant;
  authMethod: "1" | "2";
}

export type GrantOutcome = { ok: true; response: Response } | { ok: false; spec: StsErrorSpec };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 7636 §4.6: `S256` compares BASE64URL(SHA256(verifier)), `plain` the verifier itself. */
function pkceHolds(method: "plain" | "S256", challenge: string, verifier: string | undefined): boolean {
  if (verifier === undefined || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const derived = method === "S256" ? createHash("sha256").update(verifier, "ascii").digest("base64url") : verifier;
  return same(derived, challenge);
}

/**
 * `grant_type=authorization_code` (v2-oauth2-auth-code-flow.md "Redeem a code"):
 * the code must exist, belong to this client and tenant, be unexpired (10 minutes)
 * and unredeemed (single use: AADSTS54005 the second time); `redirect_uri` must
 * equal the one the code was issued for (AADSTS500112); a PKCE code needs the
 * matching `code_verifier` (AADSTS501481). Then the user's tokens.
 */
export async function redeemAuthorizationCode(state: EmulatorState, req: UserGrantRequest): Promise<GrantOutcome> {
  const fail = (spec: StsErrorSpec): GrantOutcome => ({ ok: false, spec });
  const codeParam = req.params.get("code");
  if (!codeParam) return fail(sts.missingParameter("code"));
  const redirectUri = req.params.get("redirect_uri");
  if (!redirectUri) return fail(sts.missingParameter("redirect_uri"));
  const code = state.signIn.codes.get(codeParam);
  // A code of another client or tenant is, for this request, no code at all.
  if (!code || code.clientId !== req.app.clientId || code.tenantId !== req.tenant.id) return fail(sts.codeInvalid());
  if (code.redeemed) return fail(sts.codeRedeemed());
  if (code.expiresAt <= state.clock.now()) return fail(sts.codeExpired());
  if (redirectUri !== code.redirectUri) return fail(sts.replyMismatch(redirectUri, code.redirectUri));
  if (code.codeChallenge !== undefined && !pkceHolds(code.codeChallengeMethod ?? "plain", code.codeChallenge, req.params.get("code_verifier"))) {
    return fail(sts.pkceMismatch());
  }
  // Redeemed from here on, whatever happens next: a code buys one token response.
  code.redeemed = true;
  const user = findUser(state.signIn.users, code.username);
  if (!user) return fail(sts.codeInvalid());
  const { redirectUri: _r, nonce, codeChallenge: _c, codeChallengeMethod: _m, expiresAt: _e, redeemed: _d, ...grant } = code;
  const response = await userTokenResponse(state, {
    grant,
    user,
    app: req.app,
    authMethod: req.authMethod,
    ...(nonce !== undefined ? { nonce } : {}),
  });
  return { ok: true, response };
}
