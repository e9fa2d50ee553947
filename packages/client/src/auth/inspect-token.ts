/**
 * Offline token inspection — what the MDE pages send people to jwt.ms for
 * ("confirm you get a roles claim with the appropriate permissions", "the tid
 * claim is the tenant ID the token belongs to"), without pasting a live token
 * into a web page. The token never leaves the process; only the tenant's public
 * discovery documents and keys are fetched (jwks-source.ts).
 *
 * Every check is reported with pass/fail and a reason, following the validation
 * steps of access-tokens.md (mde-api.md §1.8, §1.9): header, algorithm (no
 * `none`, no HMAC — a symmetric key would let anyone holding it mint tokens),
 * signature by the published key named by `kid`, issuer (v1
 * `https://sts.windows.net/{tid}/` or v2 form, from discovery), audience (the MDE
 * resource identifiers), `tid` = the expected customer, `nbf`/`exp` with skew,
 * `roles` ⊇ required, app-only (`idtyp` = app, no `scp`).
 */
import type { JWTPayload, ProtectedHeaderParameters } from "jose";
import { type Clock, systemClock } from "../clock.js";
import type { KeySource, TokenVersionClaim } from "./jwks-source.js";
import { isTenantGuid, normalizeTenantId } from "../tenant-id.js";

export type CheckName =
  | "header"
  | "algorithm"
  | "payload"
  | "signature"
  | "issuer"
  | "audience"
  | "tenant"
  | "not-before"
  | "expiry"
  | "roles"
  | "app-only";

export interface InspectionCheck {
  name: CheckName;
  /** `skipped` when the check was not requested or could not run because an earlier one failed. */
  status: "pass" | "fail" | "skipped";
  reason: string;
}

export interface TokenInspection {
  /** True when no check failed. */
  ok: boolean;
  checks: InspectionCheck[];
  header: ProtectedHeaderParameters | undefined;
  /** Decoded claims (the token itself is not repeated). */
  claims: JWTPayload | undefined;
  /** The facts people look for, when the payload decoded. */
  summary:
    | {
        tenantId: string | undefined;
        appId: string | undefined;
        roles: string[];
        version: string | undefined;
        audience: string | string[] | undefined;
        expiresAt: Date | undefined;
      }
    | undefined;
}

export interface InspectTokenOptions {
  /** Where keys and issuers come from (the partner client supplies its cloud's discovery source). */
  keySource: KeySource;
  /** Accepted `aud` values (the cloud's MDE identifiers by default when used through the partner client). */
  audiences: readonly string[];
  /** The customer the token must belong to (GUID). */
  expectedTenantId?: string;
  /** Roles the token must carry (all of them). Compared case-insensitively (`URL.Read.All` vs `Url.Read.All`, mde-api.md §1.10). */
  requiredRoles?: readonly string[];
  clock?: Clock;
  /** Allowed clock skew on `nbf`/`exp`, seconds. Default 300. */
  skewSec?: number;
  /** Accepted signing algorithms. Default `["RS256"]` (what Entra ID signs with). */
  algorithms?: readonly string[];
}

const pass = (name: CheckName, reason: string): InspectionCheck => ({ name, status: "pass", reason });
const fail = (name: CheckName, reason: string): InspectionCheck => ({ name, status: "fail", reason });
const skip = (name: CheckName, reason: string): InspectionCheck => ({ name, status: "skipped", reason });

/**
 * The `roles` claim of an access token, read without verifying it (the API verifies; we only look
 * ahead): `[]` when Entra left it out (nothing granted). Throws when the token is not a JWS compact
 * token with a JSON object payload.
 *
 * @example tokenRoles(await tenant.getToken()) // ["Alert.Read.All", "Machine.Isolate"]
 */
export function tokenRoles(token: string): string[] {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TypeError("not a JWS compact token");
  const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) throw new TypeError("the token's payload is not a JSON object");
  const roles = (claims as { roles?: unknown }).roles;
  return Array.isArray(roles) ? roles.map(String) : [];
}

/**
 * Inspects an access token and reports every check.
 *
 * @example
 * const report = await partner.inspectToken(token, { expectedTenantId, requiredRoles: ["Alert.Read.All"] });
 * for (const c of report.checks) console.log(c.status, c.name, c.reason);
 */
export async function inspectToken(token: string, options: InspectTokenOptions): Promise<TokenInspection> {
  if (typeof token !== "string") throw new TypeError("token must be a string");
  // jose is loaded at first use, not when the client is imported (CLI start-up time).
  const { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } = await import("jose");
  const clock = options.clock ?? systemClock;
  const skewSec = options.skewSec ?? 300;
  const algorithms = options.algorithms ?? ["RS256"];
  const expectedTenant =
    options.expectedTenantId === undefined ? undefined : normalizeTenantId(options.expectedTenantId, "expectedTenantId");
  const checks: InspectionCheck[] = [];
  const result = (header: ProtectedHeaderParameters | undefined, claims: JWTPayload | undefined): TokenInspection => ({
    ok: !checks.some((c) => c.status === "fail"),
    checks,
    header,
    claims,
    summary: claims && {
      tenantId: typeof claims.tid === "string" ? claims.tid : undefined,
      appId: typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : undefined,
      roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
      version: typeof claims.ver === "string" ? claims.ver : undefined,
      audience: claims.aud,
      expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : undefined,
    },
  });
  const rest: CheckName[] = [
    "algorithm",
    "payload",
    "signature",
    "issuer",
    "audience",
    "tenant",
    "not-before",
    "expiry",
    "roles",
    "app-only",
  ];
  const skipFrom = (from: CheckName, reason: string) => {
    for (const name of rest.slice(rest.indexOf(from))) checks.push(skip(name, reason));
  };

  // 1. Header.
  let header: ProtectedHeaderParameters;
  try {
    if (token.split(".").length !== 3) throw new Error("not three parts");
    header = decodeProtectedHeader(token);
    checks.push(pass("header", `typ ${String(header.typ ?? "(none)")}, kid ${String(header.kid ?? "(none)")}`));
  } catch {
    checks.push(fail("header", "not a JWS compact token (three base64url parts with a JSON header)"));
    skipFrom("algorithm", "the header did not decode");
    return result(undefined, undefined);
  }

  // 2. Algorithm.
  const alg = String(header.alg ?? "");
  let algOk = false;
  if (alg === "" || alg.toLowerCase() === "none") checks.push(fail("algorithm", "alg 'none': the token is unsigned"));
  else if (/^HS/i.test(alg))
    checks.push(fail("algorithm", `alg ${alg} is symmetric (HMAC): refused, anyone holding the key could mint tokens`));
  else if (!algorithms.includes(alg)) checks.push(fail("algorithm", `alg ${alg} is not accepted (expected ${algorithms.join(", ")})`));
  else {
    algOk = true;
    checks.push(pass("algorithm", alg));
  }

  // 3. Payload.
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
    checks.push(pass("payload", `ver ${String(claims.ver ?? "(none)")}`));
  } catch {
    checks.push(fail("payload", "the payload is not a JSON object"));
    skipFrom("signature", "the payload did not decode");
    return result(header, undefined);
  }
  const tid = typeof claims.tid === "string" ? claims.tid.toLowerCase() : undefined;
  const version: TokenVersionClaim = claims.ver === "2.0" ? "2.0" : "1.0";
  // Keys are looked up for the expected tenant when given: the token does not choose the URL.
  const lookupTenant = expectedTenant ?? (tid && isTenantGuid(tid) ? tid : undefined);

  // 4. Signature.
  if (!algOk) checks.push(skip("signature", "the algorithm was refused"));
  else if (!lookupTenant)
    checks.push(fail("signature", "no tenant to fetch keys for: the token has no GUID tid and no expectedTenantId was given"));
  else {
    try {
      const jwk = await options.keySource.findKey(lookupTenant, version, header.kid);
      if (!jwk) checks.push(fail("signature", `kid ${String(header.kid ?? "(none)")} is not among the tenant's published signing keys`));
      else {
        const key = await importJWK({ ...jwk, alg }, alg);
        try {
          await compactVerify(token, key, { algorithms: [alg] });
          checks.push(pass("signature", `verified with published key ${String(header.kid)}`));
        } catch {
          checks.push(
            fail("signature", "the signature does not verify with the published key: the token was altered or signed by someone else"),
          );
        }
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      checks.push(fail("signature", `the tenant's signing keys could not be fetched (${typeof code === "string" ? code : "error"})`));
    }
  }

  // 5. Issuer: exact match of the discovery issuer for the token's own tid.
  if (!tid || !isTenantGuid(tid)) checks.push(fail("issuer", "tid is missing or not a GUID, so the issuer cannot be checked"));
  else {
    try {
      const expected = await options.keySource.issuer(tid, version);
      if (claims.iss === expected) checks.push(pass("issuer", String(claims.iss)));
      else
        checks.push(
          fail("issuer", `iss ${JSON.stringify(claims.iss ?? null)} is not the v${version} issuer of tenant ${tid} (${expected})`),
        );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      checks.push(fail("issuer", `the tenant's discovery document could not be fetched (${typeof code === "string" ? code : "error"})`));
    }
  }

  // 6. Audience.
  const auds = (Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud]).map((a) =>
    String(a).replace(/\/+$/, ""),
  );
  const accepted = options.audiences.map((a) => a.replace(/\/+$/, "").toLowerCase());
  if (auds.some((a) => accepted.includes(a.toLowerCase()))) checks.push(pass("audience", auds.join(", ")));
  else
    checks.push(
      fail(
        "audience",
        `aud ${JSON.stringify(claims.aud ?? null)} is not an MDE resource identifier (accepted: ${options.audiences.join(", ")})`,
      ),
    );

  // 7. Tenant.
  if (expectedTenant === undefined) checks.push(skip("tenant", `no expectedTenantId given (token tid ${tid ?? "missing"})`));
  else if (!isTenantGuid(expectedTenant))
    checks.push(skip("tenant", "expectedTenantId is a domain name; only a GUID can be compared with tid"));
  else if (tid === expectedTenant) checks.push(pass("tenant", `tid ${tid}`));
  else checks.push(fail("tenant", `tid ${tid ?? "missing"} is not the expected customer tenant ${expectedTenant}`));

  // 8./9. Lifetime with skew.
  const now = Math.floor(clock.now() / 1000);
  if (typeof claims.nbf !== "number") checks.push(fail("not-before", "nbf is missing"));
  else if (claims.nbf > now + skewSec)
    checks.push(fail("not-before", `not valid before ${new Date(claims.nbf * 1000).toISOString()} (beyond ${skewSec}s skew)`));
  else checks.push(pass("not-before", new Date(claims.nbf * 1000).toISOString()));
  if (typeof claims.exp !== "number") checks.push(fail("expiry", "exp is missing"));
  else if (claims.exp <= now - skewSec) checks.push(fail("expiry", `expired at ${new Date(claims.exp * 1000).toISOString()}`));
  else checks.push(pass("expiry", `expires ${new Date(claims.exp * 1000).toISOString()} (in ${claims.exp - now}s)`));

  // 10. Roles.
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  const required = options.requiredRoles ?? [];
  if (required.length === 0) checks.push(skip("roles", `no required roles given (token roles: ${roles.join(", ") || "none"})`));
  else {
    const have = new Set(roles.map((r) => r.toLowerCase()));
    const missing = required.filter((r) => !have.has(r.toLowerCase()));
    if (missing.length === 0) checks.push(pass("roles", `has ${required.join(", ")}`));
    else
      checks.push(fail("roles", `missing ${missing.join(", ")}: the customer has not granted them (re-consent after adding permissions)`));
  }

  // 11. App-only.
  if (claims.scp !== undefined) checks.push(fail("app-only", "the token carries scp: it is a delegated (user) token, not app-only"));
  else if (claims.idtyp !== undefined && claims.idtyp !== "app")
    checks.push(fail("app-only", `idtyp is ${JSON.stringify(claims.idtyp)}, not "app"`));
  else checks.push(pass("app-only", claims.idtyp === "app" ? "idtyp app" : "no scp (idtyp is an optional claim and absent)"));

  return result(header, claims);
}
