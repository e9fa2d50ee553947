/**
 * What a failed call says about a customer tenant: the onboarding state it
 * moves to, a short reason for the transition, and what to do. Branches on the
 * client's stable error codes only, never on message text (STYLE.md habit 2).
 */
import { isMdeError, MdeConsentRequiredError, MdeForbiddenError, MdeRateLimitedError } from "@mde-partner/client";
import type { TenantRecord, TenantState } from "../store/index.js";

export interface TenantProblem {
  /** State the tenant moves to; `undefined` when the failure is ours (store, abort), not the tenant's. */
  readonly state: TenantState | undefined;
  readonly code: string;
  readonly message: string;
  /** Short reason recorded with the state transition ("consent revoked", "throttled", …). */
  readonly reason: string;
  /** One line for the operator. */
  readonly action: string;
  /** Worth trying again later by itself (throttling, 5xx, network). */
  readonly transient: boolean;
  readonly consentUrl?: string;
  readonly missingPermissions?: string[];
  readonly retryAfterMs?: number;
}

/** The first line of an error's message (what logs and states record). */
export function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

/** True when `error` is the abort of a signal (graceful stop), whatever shape the abort took. */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && (error === signal.reason || (error as { name?: string })?.name === "AbortError")) return true;
  return (error as { name?: string })?.name === "AbortError";
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : "ERR_UNEXPECTED";
}

/** Classifies an error of a tenant's run. */
export function tenantProblem(error: unknown): TenantProblem {
  const message = firstLine(error);
  const code = codeOf(error);
  const base = { code, message };
  if (!isMdeError(error)) {
    return {
      ...base,
      state: undefined,
      reason: "local failure",
      action: "see the error; the tenant's state is unchanged",
      transient: false,
    };
  }
  switch (error.code) {
    case "ERR_MDE_CONSENT_REQUIRED": {
      const consentUrl = error instanceof MdeConsentRequiredError ? error.consentUrl : undefined;
      return {
        ...base,
        state: "degraded",
        reason: "consent revoked",
        action: consentUrl ? `send the customer's admin the consent link: ${consentUrl}` : "ask the customer's admin to consent again",
        transient: false,
        ...(consentUrl ? { consentUrl } : {}),
      };
    }
    case "ERR_MDE_CONSENT_DENIED":
      return {
        ...base,
        state: "degraded",
        reason: "consent denied",
        action: "ask the customer's admin to approve the app",
        transient: false,
      };
    case "ERR_MDE_FORBIDDEN": {
      const missing = error instanceof MdeForbiddenError ? [...error.missingPermissions] : [];
      return {
        ...base,
        state: "degraded",
        reason: missing.length ? `permission missing: ${missing.join(", ")}` : "permission missing",
        action: "ask the customer's admin to grant the missing application permission (consent again)",
        transient: false,
        missingPermissions: missing,
      };
    }
    case "ERR_MDE_SECRET_EXPIRED":
      return {
        ...base,
        state: "degraded",
        reason: "secret expired",
        action: "add a new client secret to the partner app and update the configuration",
        transient: false,
      };
    case "ERR_MDE_SECRET_INVALID":
    case "ERR_MDE_CERTIFICATE_INVALID":
      return {
        ...base,
        state: "degraded",
        reason: "credential refused",
        action: "check the partner app's secret or certificate",
        transient: false,
      };
    case "ERR_MDE_NOT_PROVISIONED":
      return {
        ...base,
        state: "degraded",
        reason: "MDE not provisioned",
        action: "the customer must onboard Defender for Endpoint first",
        transient: false,
      };
    case "ERR_MDE_TENANT_NOT_FOUND":
      return { ...base, state: "failed", reason: "tenant not found", action: "check the tenant id (and the cloud)", transient: false };
    case "ERR_MDE_APP_DISABLED":
      return {
        ...base,
        state: "degraded",
        reason: "partner app disabled",
        action: "enable the partner app in its home tenant",
        transient: false,
      };
    case "ERR_MDE_RATE_LIMITED": {
      const retryAfterMs = error instanceof MdeRateLimitedError ? error.retryAfterMs : undefined;
      return {
        ...base,
        state: "degraded",
        reason: "throttled",
        action: "backed off; the next run continues from the cursor",
        transient: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    case "ERR_MDE_HTTP":
    case "ERR_MDE_NETWORK":
    case "ERR_MDE_TIMEOUT":
    case "ERR_MDE_INVALID_RESPONSE":
      return {
        ...base,
        state: "degraded",
        reason: "service failing",
        action: "backed off; the next run continues from the cursor",
        transient: true,
      };
    default:
      return {
        ...base,
        state: "degraded",
        reason: error.code === "ERR_MDE_AUTH" ? "authentication failed" : "request refused",
        action: "see the error",
        transient: false,
      };
  }
}

/**
 * The problem as it applies to `tenant`. A tenant still `pending_consent` has never consented (no
 * path leads back to that state once consent was seen), so "consent required" there means "not
 * consented yet", never "consent revoked": it stays `pending_consent`, and sync keeps skipping it.
 */
export function problemForTenant(problem: TenantProblem, tenant: Pick<TenantRecord, "id" | "state">): TenantProblem {
  if (tenant.state !== "pending_consent" || problem.code !== "ERR_MDE_CONSENT_REQUIRED") return problem;
  return {
    ...problem,
    state: "pending_consent",
    reason: "consent not given yet",
    action: problem.consentUrl
      ? `send the customer's Global Administrator the consent link: ${problem.consentUrl}`
      : `send the customer's Global Administrator the consent link: mde-partner consent link ${tenant.id}`,
  };
}
