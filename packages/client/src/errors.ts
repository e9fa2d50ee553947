/**
 * Typed errors. Every error the library throws for a failed exchange is an
 * `MdeError` with a stable `code`; callers branch on `code` (or `instanceof`),
 * never on message text, which may change. Caller mistakes (bad options, a
 * malformed tenant id) are `TypeError`s instead, as in `jose`/`openid-client`.
 *
 * Messages are built here from known fields only: they never contain a client
 * secret, a private key, an assertion or an access token. Every code is listed,
 * with its meaning and fix, in docs/errors.md (a test keeps the two in step).
 */

/** Every code an `MdeError` can carry. */
export const MDE_ERROR_CODES = [
  "ERR_MDE_AUTH",
  "ERR_MDE_CONSENT_REQUIRED",
  "ERR_MDE_CONSENT_DENIED",
  "ERR_MDE_CONSENT_STATE_MISMATCH",
  "ERR_MDE_TENANT_NOT_FOUND",
  "ERR_MDE_SECRET_INVALID",
  "ERR_MDE_SECRET_EXPIRED",
  "ERR_MDE_CERTIFICATE_INVALID",
  "ERR_MDE_SCOPE_INVALID",
  "ERR_MDE_APP_DISABLED",
  "ERR_MDE_NOT_PROVISIONED",
  "ERR_MDE_FORBIDDEN",
  "ERR_MDE_NOT_FOUND",
  "ERR_MDE_BAD_REQUEST",
  "ERR_MDE_RATE_LIMITED",
  "ERR_MDE_HTTP",
  "ERR_MDE_NETWORK",
  "ERR_MDE_TIMEOUT",
  "ERR_MDE_INVALID_RESPONSE",
] as const;

export type MdeErrorCode = (typeof MDE_ERROR_CODES)[number];

/** Context shared by every error: which tenant, which call, which request. */
export interface MdeErrorDetails {
  tenantId?: string | undefined;
  /** HTTP status of the answer that caused the error, when there was one. */
  status?: number | undefined;
  /** `client-request-id` the client sent (quote it to Microsoft support). */
  requestId?: string | undefined;
  /** Correlation id of the service (`error.target` for MDE, `correlation_id` for Entra ID). */
  correlationId?: string | undefined;
  /** Operation name of the MDE call (`ListAlerts`). */
  operation?: string | undefined;
  cause?: unknown;
}

/** Base class of every error the library throws for a failed exchange. */
export class MdeError extends Error {
  readonly code: MdeErrorCode;
  readonly tenantId: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly operation: string | undefined;

  constructor(code: MdeErrorCode, message: string, details: MdeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.tenantId = details.tenantId;
    this.status = details.status;
    this.requestId = details.requestId;
    this.correlationId = details.correlationId;
    this.operation = details.operation;
  }
}

// ---------------------------------------------------------------------------
// Token acquisition (Entra ID) — mde-api.md §1.7, §9
// ---------------------------------------------------------------------------

export interface MdeAuthErrorDetails extends MdeErrorDetails {
  /** AADSTS number (`700016`) when Entra ID returned one. */
  aadsts?: number | undefined;
  /** OAuth `error` value (`invalid_client`, `unauthorized_client`, …). */
  oauthError?: string | undefined;
  traceId?: string | undefined;
}

/** The token could not be obtained (or the API refused it). Base of the token-specific errors below. */
export class MdeAuthError extends MdeError {
  readonly aadsts: number | undefined;
  readonly oauthError: string | undefined;
  readonly traceId: string | undefined;
  constructor(message: string, details: MdeAuthErrorDetails = {}, code: MdeErrorCode = "ERR_MDE_AUTH") {
    super(code, message, details);
    this.aadsts = details.aadsts;
    this.oauthError = details.oauthError;
    this.traceId = details.traceId;
  }
}

/** The customer tenant has not consented to the partner app (AADSTS700016). `consentUrl` is the link to send its admin. */
export class MdeConsentRequiredError extends MdeAuthError {
  readonly consentUrl: string;
  constructor(message: string, consentUrl: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_CONSENT_REQUIRED");
    this.consentUrl = consentUrl;
  }
}

/** The admin-consent callback reported an error (`error=permission_denied`, `consent_required`, …). */
export class MdeConsentDeniedError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_CONSENT_DENIED");
  }
}

/** The admin-consent callback's `state` is not the one this partner issued (possible forgery). */
export class MdeConsentStateMismatchError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_CONSENT_STATE_MISMATCH");
  }
}

/** The tenant does not exist in this cloud (AADSTS90002 / 900023). */
export class MdeTenantNotFoundError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_TENANT_NOT_FOUND");
  }
}

/** The client secret was refused (AADSTS7000215 / 70002). `secretHint` names the secret, never its value. */
export class MdeSecretInvalidError extends MdeAuthError {
  readonly secretHint: string | undefined;
  constructor(message: string, secretHint: string | undefined, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_SECRET_INVALID");
    this.secretHint = secretHint;
  }
}

/** The client secret has expired (AADSTS7000222). */
export class MdeSecretExpiredError extends MdeAuthError {
  readonly secretHint: string | undefined;
  constructor(message: string, secretHint: string | undefined, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_SECRET_EXPIRED");
    this.secretHint = secretHint;
  }
}

/** The certificate assertion was refused (AADSTS700027 / 50012). */
export class MdeCertificateInvalidError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_CERTIFICATE_INVALID");
  }
}

/** The requested scope/resource is not valid (AADSTS70011 / 700022 / 700023). */
export class MdeScopeInvalidError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_SCOPE_INVALID");
  }
}

/** The partner app is disabled (AADSTS7000112 / 70001). */
export class MdeAppDisabledError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_APP_DISABLED");
  }
}

/** Defender for Endpoint is not provisioned in the tenant (AADSTS500011). */
export class MdeNotProvisionedError extends MdeAuthError {
  constructor(message: string, details: MdeAuthErrorDetails = {}) {
    super(message, details, "ERR_MDE_NOT_PROVISIONED");
  }
}

// ---------------------------------------------------------------------------
// MDE API answers — mde-api.md §3.3, §3.4
// ---------------------------------------------------------------------------

export interface MdeHttpErrorDetails extends MdeErrorDetails {
  /** The API's `error.code` (`ODataError`, `ResourceNotFound`, `TooManyRequests`, …). */
  apiCode?: string | undefined;
}

/** The MDE API answered with an error status. Base of the status-specific errors below. */
export class MdeHttpError extends MdeError {
  readonly apiCode: string | undefined;
  constructor(message: string, details: MdeHttpErrorDetails = {}, code: MdeErrorCode = "ERR_MDE_HTTP") {
    super(code, message, details);
    this.apiCode = details.apiCode;
  }
}

/** 400: the request was not valid (`apiCode` says why: `ODataError`, `InvalidRequestBody`, …). */
export class MdeBadRequestError extends MdeHttpError {
  constructor(message: string, details: MdeHttpErrorDetails = {}) {
    super(message, details, "ERR_MDE_BAD_REQUEST");
  }
}

/** 403: the token lacks the permission. `missingPermissions` lists the roles of which any one would allow the call. */
export class MdeForbiddenError extends MdeHttpError {
  readonly missingPermissions: readonly string[];
  constructor(message: string, missingPermissions: readonly string[], details: MdeHttpErrorDetails = {}) {
    super(message, details, "ERR_MDE_FORBIDDEN");
    this.missingPermissions = Object.freeze([...missingPermissions]);
  }
}

/** 404: the entity does not exist (or is outside the app's reach). */
export class MdeNotFoundError extends MdeHttpError {
  constructor(message: string, details: MdeHttpErrorDetails = {}) {
    super(message, details, "ERR_MDE_NOT_FOUND");
  }
}

/** 429 (or 503 with `Retry-After`) after the retry policy gave up. `retryAfterMs` is the server's wait. */
export class MdeRateLimitedError extends MdeHttpError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs: number | undefined, details: MdeHttpErrorDetails = {}) {
    super(message, details, "ERR_MDE_RATE_LIMITED");
    this.retryAfterMs = retryAfterMs;
  }
}

// ---------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------

/** No HTTP answer: connection refused/reset, DNS, TLS (e.g. an untrusted certificate). */
export class MdeNetworkError extends MdeError {
  /** True when the request certainly never reached the server (safe to repeat). */
  readonly notSent: boolean;
  constructor(message: string, notSent: boolean, details: MdeErrorDetails = {}) {
    super("ERR_MDE_NETWORK", message, details);
    this.notSent = notSent;
  }
}

/** The request (or the whole call, retries included) ran past its time limit. */
export class MdeTimeoutError extends MdeError {
  constructor(message: string, details: MdeErrorDetails = {}) {
    super("ERR_MDE_TIMEOUT", message, details);
  }
}

/** The service answered something the client cannot use (bad JSON, a nextLink to another origin, a token without claims). */
export class MdeInvalidResponseError extends MdeError {
  constructor(message: string, details: MdeErrorDetails = {}) {
    super("ERR_MDE_INVALID_RESPONSE", message, details);
  }
}

/** True when `error` is an `MdeError` (optionally with the given code). */
export function isMdeError(error: unknown, code?: MdeErrorCode): error is MdeError {
  return error instanceof MdeError && (code === undefined || error.code === code);
}
