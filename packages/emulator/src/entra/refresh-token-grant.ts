import { findUser } from "../core/users.js";
import type { EmulatorState } from "../core/state.js";
import type { GrantOutcome, UserGrantRequest } from "./authorization-code-grant.js";
import { sts } from "./sts-codes.js";
import { userTokenResponse } from "./user-tokens.js";

/**
 * `grant_type=refresh_token` (v2-oauth2-auth-code-flow.md "Refresh the access token"):
 * a refresh token from a sign-in with `offline_access`, for the same client and
 * tenant, while its user still exists with the same password. The answer carries
 * a new refresh token and a new ID token without `nonce`; the old refresh token
 * stays usable until it expires, as Entra's do.
 */
export async function redeemRefreshToken(state: EmulatorState, req: UserGrantRequest): Promise<GrantOutcome> {
  const token = req.params.get("refresh_token");
  if (!token) return { ok: false, spec: sts.missingParameter("refresh_token") };
  const grant = state.signIn.refreshTokens.get(token);
  if (!grant || grant.clientId !== req.app.clientId || grant.tenantId !== req.tenant.id) return { ok: false, spec: sts.refreshInvalid() };
  if (grant.expiresAt <= state.clock.now()) return { ok: false, spec: sts.codeExpired() };
  const user = findUser(state.signIn.users, grant.username);
  if (!user) return { ok: false, spec: sts.refreshInvalid() };
  const { expiresAt: _e, ...rest } = grant;
  return { ok: true, response: await userTokenResponse(state, { grant: rest, user, app: req.app, authMethod: req.authMethod }) };
}
