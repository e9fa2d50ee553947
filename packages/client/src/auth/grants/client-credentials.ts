/**
 * The client-credentials grant spoken directly (form POST), for the v1 endpoint
 * (`/{tenant}/oauth2/token` with `resource=`, mde-api.md §1.3) — MSAL speaks only
 * v2 — and for v2 where MSAL cannot go (plain-http loopback with
 * `allowInsecureRequests`). One POST per call; no cache here.
 */
import type { Clock } from "../../clock.js";
import type { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } from "../credentials.js";
import { MdeInvalidResponseError, MdeNetworkError, MdeTimeoutError } from "../../errors.js";
import type { FetchLike } from "../../network.js";
import { type StsErrorContext, stsErrorToMdeError } from "../sts-errors.js";
import { type AssertionAlgorithm, signCertificateAssertion } from "./certificate-assertion.js";
import { type AcquiredToken, type AcquireOptions, parseExpiresIn, type TokenSource, toTransportError } from "./token-source.js";
import { createTokenExchange, type TokenRetrySettings, tokenRetryAfterMs, transientTokenError } from "./token-retry.js";

export interface ClientCredentialsGrantOptions {
  fetch: FetchLike;
  clock: Clock;
  loginUrl: string;
  clientId: string;
  /** `v1` sends `resource=audience`; `v2` sends `scope=audience`. */
  version: "v1" | "v2";
  audience: string;
  credential: ClientSecretCredential | ClientCertificateCredential | ClientAssertionCredential;
  assertionAlgorithm: AssertionAlgorithm;
  /** Per attempt. */
  timeoutMs: number;
  /** Transient failures (429, 5xx, network) are repeated with these (token-retry.ts). */
  retry: TokenRetrySettings;
  userAgent: string;
  /** Everything a typed error needs except the tenant. */
  errorContext: (tenantId: string, status: number | undefined) => StsErrorContext;
}

/** The token endpoint of a tenant: `{login}/{tenant}/oauth2/token` or `…/oauth2/v2.0/token`. */
export function tokenEndpoint(loginUrl: string, tenantId: string, version: "v1" | "v2"): string {
  const base = new URL(loginUrl.endsWith("/") ? loginUrl : `${loginUrl}/`);
  return new URL(`${encodeURIComponent(tenantId)}/${version === "v1" ? "oauth2/token" : "oauth2/v2.0/token"}`, base).toString();
}

export function createClientCredentialsGrant(options: ClientCredentialsGrantOptions): TokenSource {
  const { clock, clientId, credential } = options;
  const exchange = createTokenExchange(options.fetch, options.retry, options.timeoutMs);
  return {
    audience: options.audience,
    async acquire(tenantId: string, acquireOptions: AcquireOptions = {}): Promise<AcquiredToken> {
      const endpoint = tokenEndpoint(options.loginUrl, tenantId, options.version);
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId });
      form.set(options.version === "v1" ? "resource" : "scope", options.audience);
      if (credential.kind === "secret") {
        form.set("client_secret", credential.revealSecret());
      } else {
        const assertion =
          credential.kind === "certificate"
            ? await signCertificateAssertion(credential, {
                clientId,
                tokenEndpoint: endpoint,
                clock,
                algorithm: options.assertionAlgorithm,
              })
            : await credential.getAssertion({ tenantId, clientId, audience: endpoint, signal: acquireOptions.signal });
        form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form.set("client_assertion", assertion);
      }
      const requestedAt = clock.now();
      let response: Response;
      let text: string;
      try {
        response = await exchange(tenantId, endpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", "user-agent": options.userAgent },
          body: form.toString(),
          signal: acquireOptions.signal,
        });
        text = await response.text();
      } catch (error) {
        if (acquireOptions.signal?.aborted) throw acquireOptions.signal.reason;
        if (error instanceof MdeNetworkError || error instanceof MdeTimeoutError) throw error;
        throw toTransportError(error, `token request for tenant ${tenantId}`, tenantId, false);
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
        if (!body || typeof body !== "object") throw new Error("not an object");
      } catch {
        const transient = transientTokenError(response.status, tokenRetryAfterMs(response.headers, clock), {}, { tenantId });
        if (transient) throw transient;
        throw new MdeInvalidResponseError(
          `the token endpoint answered HTTP ${response.status} without a JSON body for tenant ${tenantId}`,
          {
            tenantId,
            status: response.status,
          },
        );
      }
      if (!response.ok || typeof body.error === "string") {
        throw (
          transientTokenError(response.status, tokenRetryAfterMs(response.headers, clock), body, { tenantId }) ??
          stsErrorToMdeError(body, options.errorContext(tenantId, response.status))
        );
      }
      if (typeof body.access_token !== "string" || body.access_token.length === 0) {
        throw new MdeInvalidResponseError(`the token endpoint returned no access_token for tenant ${tenantId}`, {
          tenantId,
          status: response.status,
        });
      }
      return { accessToken: body.access_token, expiresInSec: parseExpiresIn(body, clock, tenantId), requestedAt };
    },
  };
}
