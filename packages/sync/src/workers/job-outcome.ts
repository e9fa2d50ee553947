/**
 * What a worker does with a tenant's job after its sync ran: queue the next
 * run, hand the job back to pg-boss for a retry with backoff, or park the
 * tenant with its reason. Branches on stable error codes only (STYLE.md habit 2).
 */
import type { TenantSyncResult } from "../engine/types.js";

/** The decision for one finished job. */
export type JobOutcome =
  /** Done (or stopped early): the tenant's next run is queued `delayMs` from now. */
  | { readonly kind: "next"; readonly delayMs: number; readonly note: string }
  /** Failed for a reason that may pass: pg-boss retries the same job after its backoff. */
  | { readonly kind: "retry"; readonly reason: string }
  /** Failed for a reason that will not pass by retrying soon: the next run is queued `delayMs` from now. */
  | { readonly kind: "park"; readonly delayMs: number; readonly reason: string };

/**
 * Failures that need someone to act (consent, permissions, credentials, the
 * tenant itself): retrying in seconds only adds failed token requests. The
 * tenant is parked at once; it is tried again after the park time, so a
 * restored consent is picked up without anyone touching the worker.
 */
const NEEDS_ACTION: ReadonlySet<string> = new Set([
  "ERR_MDE_CONSENT_REQUIRED",
  "ERR_MDE_CONSENT_DENIED",
  "ERR_MDE_FORBIDDEN",
  "ERR_MDE_SECRET_EXPIRED",
  "ERR_MDE_SECRET_INVALID",
  "ERR_MDE_CERTIFICATE_INVALID",
  "ERR_MDE_NOT_PROVISIONED",
  "ERR_MDE_TENANT_NOT_FOUND",
  "ERR_MDE_APP_DISABLED",
  "ERR_MDE_SCOPE_INVALID",
  "ERR_MDE_BAD_REQUEST",
]);

/**
 * A failure that may pass by itself (throttling, 5xx, network, timeouts, the
 * token endpoint or our database down): worth a retry with backoff. The rest
 * needs someone to act, or (a missing machine) will never pass.
 */
export function isTransientCode(code: string): boolean {
  return !NEEDS_ACTION.has(code) && code !== "ERR_MDE_NOT_FOUND";
}

export interface OutcomeSettings {
  readonly intervalMs: number;
  readonly parkMs: number;
}

/** Attempt numbers of the job (pg-boss counts retries from 0). */
export interface JobAttempt {
  readonly retryCount: number;
  readonly retryLimit: number;
}

export function decideOutcome(result: TenantSyncResult, attempt: JobAttempt, settings: OutcomeSettings): JobOutcome {
  if (result.status === "ok") return { kind: "next", delayMs: settings.intervalMs, note: "synced" };
  const code = result.error?.code ?? "ERR_UNEXPECTED";
  // A graceful stop: the cursor is committed; another worker carries on at once.
  if (code === "ERR_SYNC_STOPPED") return { kind: "next", delayMs: 0, note: "stopped; continued by the next worker" };
  const reason = result.error?.message ?? result.status;
  if (NEEDS_ACTION.has(code)) return { kind: "park", delayMs: settings.parkMs, reason };
  // Throttling, 5xx, network, timeouts, the token endpoint or our database down: pg-boss backs off and retries.
  if (attempt.retryCount < attempt.retryLimit) return { kind: "retry", reason };
  return { kind: "park", delayMs: settings.parkMs, reason: `${reason} (after ${attempt.retryCount + 1} attempts)` };
}
