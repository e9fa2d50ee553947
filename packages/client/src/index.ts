/**
 * @mde-partner/client — one multi-tenant Entra ID app, every customer's
 * Microsoft Defender for Endpoint. Public surface only; internals stay internal.
 */

// Partner client, tenants, fan-out
export { createPartnerClient } from "./partner-client.js";
export type {
  InspectOptions,
  PartnerClient,
  PartnerClientOptions,
  PartnerTenant,
  TenantHandle,
  TenantOptions,
  TokenRequestOptions,
} from "./partner-client.js";
export { forEachTenant } from "./fan-out.js";
export type { ForEachTenantOptions, TenantResult } from "./fan-out.js";
export { isTenantGuid, normalizeTenantId } from "./tenant-id.js";

// Clouds
export { apiUrlFor, MDE_APP_ID, MDE_RESOURCE, resolveCloud } from "./clouds.js";
export type { CloudName, CloudOptions, CloudOverrides, CloudProfile, CustomCloudOptions } from "./clouds.js";

// Credentials
export {
  AzureTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  createCertificateCredential,
  createClientAssertionCredential,
  createClientSecretCredential,
} from "./credentials.js";
export type { AssertionContext, CertificateCredentialOptions, CredentialInput, PartnerCredential, TokenCredential } from "./credentials.js";

// Token inspection
export { inspectToken } from "./inspect-token.js";
export type { CheckName, InspectionCheck, InspectTokenOptions, TokenInspection } from "./inspect-token.js";
export { createDiscoveryKeySource, createStaticKeySource } from "./jwks-source.js";
export type { JsonWebKeySet, KeySource } from "./jwks-source.js";

// Consent
export { adminConsentUrl, consentStateMatches, createConsentState, legacyConsentUrl, parseConsentCallback } from "./consent.js";
export type { AdminConsentUrlOptions, ConsentCallbackResult } from "./consent.js";

// Errors
export {
  isMdeError,
  MDE_ERROR_CODES,
  MdeAppDisabledError,
  MdeAuthError,
  MdeBadRequestError,
  MdeCertificateInvalidError,
  MdeConsentDeniedError,
  MdeConsentRequiredError,
  MdeConsentStateMismatchError,
  MdeError,
  MdeForbiddenError,
  MdeHttpError,
  MdeInvalidResponseError,
  MdeNetworkError,
  MdeNotFoundError,
  MdeNotProvisionedError,
  MdeRateLimitedError,
  MdeScopeInvalidError,
  MdeSecretExpiredError,
  MdeSecretInvalidError,
  MdeTenantNotFoundError,
  MdeTimeoutError,
} from "./errors.js";
export type { MdeErrorCode } from "./errors.js";

// Transport seam and pipeline pieces (for custom stacks and tests)
export type { HttpMethod, MdeRequest, MdeTransport } from "./transport.js";
export type { Clock, Sleep } from "./clock.js";
export type { Logger } from "./logger.js";
export type { FetchLike } from "./network.js";
export type { RetryOptions } from "./pipeline/retry-policy.js";
export type { BudgetLimits } from "./pipeline/rate-budget.js";
