import { createPublicKey } from "node:crypto";
import type { AppCertificate, EmulatorState, PartnerApp, Tenant } from "../core/state.js";
import { sts } from "./sts-codes.js";
import type { StsErrorSpec } from "./sts-error.js";
import { resolveTenantSegment } from "./tenant-segment.js";

/** The assertion type every certificate credential must name (mde-api.md §1.3, §1.5). */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const ALGORITHMS = ["RS256", "PS256"];

export interface AssertionTarget {
  app: PartnerApp;
  /** The tenant the token is requested for. */
  tenant: Tenant;
  /** The path segment the request used (`contoso.onmicrosoft.com`, a GUID, `organizations`). */
  segment: string;
  /** Origin of the request as the client addressed it. */
  requestOrigin: string;
}

function isoTicks(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.0000000Z`;
}

/**
 * The bytes of a thumbprint header value. base64url is what RFC 7515 prescribes,
 * but clients differ: Python MSAL writes `x5t` base64url *with* `=` padding, others
 * standard base64 (`+`, `/`). Entra accepts them all, so the emulator compares the
 * decoded bytes, not the strings. Anything else (wrong alphabet, wrong length) is
 * no thumbprint at all.
 */
export function thumbprintBytes(value: string, length: 20 | 32): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value) || (value.endsWith("=") && value.length % 4 !== 0)) return undefined;
  const bytes = Buffer.from(value.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === length ? bytes : undefined;
}

function findCertificate(app: PartnerApp, header: Record<string, unknown>): { cert: AppCertificate | undefined; thumbprint: string } {
  const byThumbprint = (value: string, length: 20 | 32, registered: (c: AppCertificate) => string) => {
    const wanted = thumbprintBytes(value, length);
    const cert = wanted ? app.certificates.find((c) => thumbprintBytes(registered(c), length)?.equals(wanted)) : undefined;
    return { cert, thumbprint: value };
  };
  const s256 = header["x5t#S256"];
  if (typeof s256 === "string") return byThumbprint(s256, 32, (c) => c.x5tS256);
  const x5t = header.x5t;
  if (typeof x5t === "string") return byThumbprint(x5t, 20, (c) => c.x5t);
  return { cert: undefined, thumbprint: "" };
}

/**
 * True when `aud` names this tenant's token endpoint: v2 (`…/oauth2/v2.0/token`,
 * what certificate-credentials.md prescribes) or v1 (`…/oauth2/token`, what v1
 * clients such as ADAL put there), addressed by GUID, domain or the request's own
 * segment, on this emulator's origin.
 */
function audienceMatches(state: EmulatorState, aud: string, target: AssertionTarget): boolean {
  let url: URL;
  try {
    url = new URL(aud);
  } catch {
    return false;
  }
  const origins = [target.requestOrigin, state.baseUrl].map((o) => o.toLowerCase());
  if (!origins.includes(url.origin.toLowerCase())) return false;
  const match = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/i.exec(url.pathname);
  const segment = match?.[1];
  if (!segment) return false;
  if (segment.toLowerCase() === target.segment.toLowerCase()) return true;
  const resolved = resolveTenantSegment(state, decodeURIComponent(segment));
  return resolved.kind === "tenant" && resolved.tenant.id === target.tenant.id;
}

/**
 * Verifies a certificate client assertion (mde-api.md §1.5): the signing
 * certificate is found among the app's registered ones by `x5t#S256` or `x5t`
 * (compared as bytes: padded and standard base64 are accepted as Entra does);
 * RS256 and PS256 are accepted (the two revisions of certificate-credentials.md);
 * `iss` = `sub` = client id; `aud` = this tenant's token endpoint; `exp`/`nbf`
 * within the allowed skew; `jti` never seen before for this app.
 */
export async function verifyClientAssertion(
  state: EmulatorState,
  assertion: string,
  target: AssertionTarget,
): Promise<{ ok: true } | { ok: false; spec: StsErrorSpec }> {
  const fail = (spec: StsErrorSpec) => ({ ok: false as const, spec });
  const { compactVerify, decodeProtectedHeader } = await import("jose");
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>;
  } catch {
    return fail(sts.assertionMalformed());
  }
  const alg = String(header.alg ?? "");
  if (!ALGORITHMS.includes(alg)) return fail(sts.assertionAlgorithm(alg || "none"));
  const { cert, thumbprint } = findCertificate(target.app, header);
  if (!cert) return fail(sts.assertionKeyNotFound(thumbprint, target.app.clientId));
  const now = state.clock.now();
  if (cert.expiresAt <= now) return fail(sts.assertionKeyExpired(thumbprint));

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(assertion, createPublicKey(cert.certPem), { algorithms: ALGORITHMS }));
  } catch {
    return fail(sts.assertionSignature());
  }
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payloadBytes).toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return fail(sts.assertionMalformed());
    claims = parsed as Record<string, unknown>;
  } catch {
    return fail(sts.assertionMalformed());
  }

  const iss = typeof claims.iss === "string" ? claims.iss : "";
  const sub = typeof claims.sub === "string" ? claims.sub : "";
  if (sub.toLowerCase() !== iss.toLowerCase()) return fail(sts.assertionSubject());
  if (iss.toLowerCase() !== target.app.clientId.toLowerCase()) return fail(sts.assertionIssuer());

  // One audience, as a string (or a one-element array); Entra refuses several (panva/openid-client#348).
  const audValue = Array.isArray(claims.aud) && claims.aud.length === 1 ? claims.aud[0] : claims.aud;
  if (typeof audValue !== "string") return fail(Array.isArray(claims.aud) ? sts.assertionMalformed() : sts.assertionAudience());
  if (!audienceMatches(state, audValue, target)) return fail(sts.assertionAudience());

  const skewMs = state.options.clockSkewSec * 1000;
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  const nbf = typeof claims.nbf === "number" ? claims.nbf * 1000 : 0;
  if (exp === undefined) return fail(sts.assertionMalformed());
  if (now > exp + skewMs || nbf > now + skewMs) return fail(sts.assertionTime(isoTicks(now), isoTicks(nbf), isoTicks(exp)));

  const jti = typeof claims.jti === "string" ? claims.jti : "";
  if (!jti) return fail(sts.assertionMalformed());
  for (const [key, until] of state.seenAssertionIds) if (until <= now) state.seenAssertionIds.delete(key);
  const replayKey = `${target.app.clientId.toLowerCase()}/${jti}`;
  if (state.seenAssertionIds.has(replayKey)) return fail(sts.assertionReplayed());
  state.seenAssertionIds.set(replayKey, exp + skewMs);
  return { ok: true };
}
