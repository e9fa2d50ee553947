/**
 * Signs the client-assertion JWT of a certificate credential
 * (ENTRA certificate-credentials.md, mde-api.md §1.5): `aud` = the token
 * endpoint, `iss` = `sub` = client id, a fresh `jti`, `nbf`/`iat` now and `exp`
 * ten minutes later. The header carries the certificate thumbprint: `PS256` +
 * `x5t#S256` per the current doc revision, or `RS256` + `x5t` per the older one
 * (both accepted by Entra ID; DOC-CONFLICT §8.19, so it is an option).
 */
import { createHash, createPrivateKey, randomUUID, X509Certificate } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { ClientCertificateCredential } from "../credentials.js";

export type AssertionAlgorithm = "PS256" | "RS256";

export async function signCertificateAssertion(
  credential: ClientCertificateCredential,
  params: { clientId: string; tokenEndpoint: string; clock: Clock; algorithm: AssertionAlgorithm },
): Promise<string> {
  const key = createPrivateKey(credential.revealPrivateKey());
  const raw = new X509Certificate(credential.certificatePem).raw;
  const ec = key.asymmetricKeyType === "ec";
  const alg = ec ? "ES256" : params.algorithm;
  const header: Record<string, unknown> = { alg, typ: "JWT" };
  if (alg === "RS256") header.x5t = createHash("sha1").update(raw).digest("base64url");
  else header["x5t#S256"] = createHash("sha256").update(raw).digest("base64url");
  if (credential.sendCertificateChain) {
    header.x5c = [...credential.certificatePem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
      (m[1] ?? "").replace(/\s+/g, ""),
    );
  }
  const now = Math.floor(params.clock.now() / 1000);
  // jose is loaded at first use, not when the client is imported (CLI start-up time).
  const { SignJWT } = await import("jose");
  return new SignJWT({})
    .setProtectedHeader(header as { alg: string })
    .setAudience(params.tokenEndpoint)
    .setIssuer(params.clientId)
    .setSubject(params.clientId)
    .setJti(randomUUID())
    .setNotBefore(now)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key);
}
