import { timingSafeEqual } from "node:crypto";
import type { EmulatorState } from "../core/state.js";
import { type AssertionTarget, JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from "./client-assertion.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";

/** How a confidential client proved itself: `appidacr`/`azpacr` "1" (secret) or "2" (certificate). */
export type ClientAuthMethod = "1" | "2";

export interface ClientCredentials {
  /** `client_secret` from the form body or from HTTP Basic (RFC 6749 §2.3.1). */
  secret?: string;
  clientAssertionType?: string;
  clientAssertion?: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authenticates the client of a token request with exactly one credential: a
 * client secret (refused when wrong, AADSTS7000215, or expired, AADSTS7000222)
 * or a certificate client assertion (client-assertion.ts). Neither is
 * AADSTS7000218 (mde-api.md §1.5, §1.7).
 */
export async function authenticateClient(
  state: EmulatorState,
  credentials: ClientCredentials,
  target: AssertionTarget,
): Promise<{ ok: true; method: ClientAuthMethod } | { ok: false; spec: StsErrorSpec }> {
  const { secret, clientAssertion, clientAssertionType } = credentials;
  if (secret !== undefined && (clientAssertion !== undefined || clientAssertionType !== undefined)) {
    return { ok: false, spec: sts.twoCredentials() };
  }
  if (clientAssertion !== undefined || clientAssertionType !== undefined) {
    if (clientAssertionType === undefined) return { ok: false, spec: sts.missingParameter("client_assertion_type") };
    if (clientAssertionType !== JWT_BEARER_ASSERTION_TYPE) return { ok: false, spec: sts.assertionType() };
    if (!clientAssertion) return { ok: false, spec: sts.missingParameter("client_assertion") };
    const verified = await verifyClientAssertion(state, clientAssertion, target);
    return verified.ok ? { ok: true, method: "2" } : verified;
  }
  if (!secret) return { ok: false, spec: sts.noCredential() };
  const match = target.app.secrets.find((s) => sameSecret(s.value, secret));
  if (!match) return { ok: false, spec: sts.invalidSecret(target.app.clientId) };
  if (match.expiresAt <= state.clock.now()) return { ok: false, spec: sts.expiredSecret(target.app.clientId) };
  return { ok: true, method: "1" };
}
