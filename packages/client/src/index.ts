/**
 * @mde-partner/client — one multi-tenant Entra ID app, every customer's
 * Microsoft Defender for Endpoint. Public surface only; internals stay internal.
 */

// The typed MDE API: resources, models, OData filter builder, path helper, operations, permissions planner.
export * from "./api-exports.js";
export type { Clock, Sleep } from "./clock.js";
export type { CloudName, CloudOptions, CloudOverrides, CloudProfile, CustomCloudOptions } from "./clouds.js";
export { apiUrlFor, GRAPH_APP_ID, GRAPH_RESOURCE, MDE_APP_ID, MDE_RESOURCE, resolveCloud } from "./clouds.js";
export type { AdminConsentUrlOptions, ConsentCallbackResult } from "./auth/consent.js";
export {
  adminConsentUrl,
  checkRedirectUri,
  consentStateMatches,
  createConsentState,
  legacyConsentUrl,
  parseConsentCallback,
} from "./auth/consent.js";
export { isLoopbackHost } from "./network.js";
export type { AssertionContext, CertificateCredentialOptions, CredentialInput, PartnerCredential, TokenCredential } from "./auth/credentials.js";
export {
  AzureTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  createCertificateCredential,
  createClientAssertionCredential,
  createClientSecretCredential,
} from "./auth/credentials.js";
export type { MdeErrorCode } from "./errors.js";
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
export type { ForEachTenantOptions, TenantResult } from "./fan-out.js";
export { forEachTenant } from "./fan-out.js";
export type { CheckName, InspectionCheck, InspectTokenOptions, TokenInspection } from "./auth/inspect-token.js";
export { inspectToken } from "./auth/inspect-token.js";
export type { JsonWebKeySet, KeySource } from "./auth/jwks-source.js";
export { createDiscoveryKeySource, createStaticKeySource } from "./auth/jwks-source.js";
export type { Logger } from "./logger.js";
export type { FetchLike } from "./network.js";
export type {
  InspectOptions,
  PartnerClient,
  PartnerClientOptions,
  PartnerTenant,
  TenantHandle,
  TenantOptions,
  TokenRequestOptions,
} from "./partner-client.js";
export type { LegacyHuntOptions, TenantDriftReport, TenantHuntOptions } from "./partner-tenant.js";
export { createPartnerClient } from "./partner-client.js";
export type { RetryOptions } from "./pipeline/retry-policy.js";
export type { BudgetDecision, BudgetWindow, RateBudgetStore } from "./pipeline/rate-budget-store.js";
export { createMemoryBudgetStore, guardBandMs, slotsFor, windowStart } from "./pipeline/rate-budget-store.js";
export { isTenantGuid, normalizeTenantId } from "./tenant-id.js";
export type { TenantDomainResolverOptions } from "./auth/tenant-domain.js";
export { resolveTenantDomain } from "./auth/tenant-domain.js";
export type { HttpMethod, MdeRequest, MdeTransport } from "./pipeline/transport.js";
