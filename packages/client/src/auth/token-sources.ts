/**
 * One token source per resource of the partner app: the MDE API and Microsoft Graph. Each asks
 * for its own audience (v1 `resource=` / v2 `scope=…/.default`): a token is issued for one
 * resource only, so a customer tenant has two tokens, one per audience, cached under separate keys
 * (graph-security.md §2: "A Graph token and an MDE token are separate").
 */
import type { ApiResource } from "../permissions/planner.js";
import { createTokenCredentialSource } from "./grants/azure-token-credential.js";
import { createClientCredentialsGrant } from "./grants/client-credentials.js";
import { createMsalGrant } from "./grants/msal-client-credentials.js";
import type { TokenSource } from "./grants/token-source.js";
import type { FetchLike } from "../network.js";
import type { ResolvedPartnerOptions } from "../partner-options.js";
import type { StsErrorContext } from "./sts-errors.js";

/** The v1 resource and v2 scope of each resource in the cloud. */
export function audienceOf(state: ResolvedPartnerOptions, resource: ApiResource): { resource: string; scope: string } {
  const { cloud } = state;
  return resource === "graph" ? { resource: cloud.graphResource, scope: cloud.graphScope } : { resource: cloud.resource, scope: cloud.scope };
}

/** Creates the token source of one resource. `consentLink` names the link errors carry. */
export function createTokenSource(
  state: ResolvedPartnerOptions,
  fetch: FetchLike,
  resource: ApiResource,
  consentLink: (tenantId: string) => string,
): TokenSource {
  const { cloud, credential, clientId } = state;
  const ids = audienceOf(state, resource);
  const audience = state.tokenVersion === "v1" ? ids.resource : ids.scope;
  const errorContext = (tenantId: string, status: number | undefined): StsErrorContext => ({
    tenantId,
    clientId,
    cloudName: cloud.name,
    audience,
    credentialKind: credential.kind,
    credentialHint: credential.hint,
    consentUrl: consentLink(tenantId),
    status,
  });
  // Token requests are retried like API calls: the same settings, clock and randomness.
  const retry = { retry: state.retry, clock: state.clock, sleep: state.sleep, random: state.random };
  if (credential.kind === "token-credential") {
    return createTokenCredentialSource({ credential, scope: ids.scope, clock: state.clock, retry, errorContext });
  }
  // MSAL refuses http authorities, so the (explicitly allowed) plain-http loopback goes direct.
  const msal = state.tokenVersion === "v2" && state.tokenExchange === "msal" && new URL(cloud.loginUrl).protocol === "https:";
  if (msal) {
    return createMsalGrant({
      fetch,
      clock: state.clock,
      cloud,
      clientId,
      scope: ids.scope,
      credential,
      timeoutMs: state.tokenTimeoutMs,
      retry,
      userAgent: state.userAgent,
      logger: state.logger,
      errorContext,
    });
  }
  return createClientCredentialsGrant({
    fetch,
    clock: state.clock,
    loginUrl: cloud.loginUrl,
    clientId,
    version: state.tokenVersion,
    audience,
    credential,
    assertionAlgorithm: state.assertionAlgorithm,
    timeoutMs: state.tokenTimeoutMs,
    retry,
    userAgent: state.userAgent,
    errorContext,
  });
}
