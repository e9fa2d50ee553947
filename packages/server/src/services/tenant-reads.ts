/**
 * Live reads across customer tenants for pages the store does not hold
 * (entities, investigations): which tenants an operator sees, one call per
 * tenant with a cap on how many run at once, and each tenant's failure as a
 * value the page shows beside the others (a 403, a 429 or an outage in one
 * customer never blanks the page). Rate budgets and retries are the partner
 * client's, per app and tenant (mde-api.md §3.4), so a burst of page views
 * waits its turn instead of tripping the service's 429.
 */
import { isMdeError, type MdeApi, mapWithConcurrency, MdeForbiddenError, MdeRateLimitedError, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { type Store, SYNCABLE_STATES, type TenantRecord, tenantOf, tenantProblem } from "@mde-partner/sync";
import type { TenantScope } from "../access.js";
import type { Clock } from "../options.js";
import { NotFoundError } from "./errors.js";

/** Tenants read at once by one page view. */
export const TENANT_READ_CONCURRENCY = 4;

/**
 * How long one tenant's part of a page may take. The client waits out a
 * 429's `Retry-After` (up to a minute) and backs off on 5xx: right for sync,
 * too long for a page, where that tenant is shown as not answering instead.
 */
export const TENANT_READ_TIMEOUT_MS = 20_000;

/** Why one tenant's read failed, as the page shows it (text from the tenant's API: escape and clip it). */
export interface TenantFailure {
  /** The client's stable code (`ERR_MDE_FORBIDDEN`, `ERR_MDE_RATE_LIMITED`, …). */
  readonly code: string;
  readonly message: string;
  /** What the operator can do about it. */
  readonly hint: string;
  /** After a 429: how long the tenant's API asked the app to wait. */
  readonly retryAfterMs?: number;
}

/** One tenant's part of a read across tenants. */
export type TenantPart<T> =
  | { readonly tenant: TenantRecord; readonly ok: true; readonly value: T }
  | { readonly tenant: TenantRecord; readonly ok: false; readonly error: TenantFailure };

/** A read that may fail on its own inside a tenant's part (one section of an entity page). */
export type Section<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: TenantFailure };

/** Thrown by a read whose every part failed: the tenant's failure is the first of them, as it was classified. */
export class TenantReadError extends Error {
  override name = "TenantReadError";
  constructor(readonly failure: TenantFailure) {
    super(failure.message);
  }
}

/** The failure of a call as one line and a hint; never throws. */
export function failureOf(error: unknown): TenantFailure {
  if (error instanceof TenantReadError) return error.failure;
  if ((error as { name?: unknown })?.name === "TimeoutError" || (error as { name?: unknown })?.name === "AbortError") {
    return {
      code: "timeout",
      message: `no answer within ${TENANT_READ_TIMEOUT_MS / 1000} s`,
      hint: "the tenant's API is slow or throttling this app: try again shortly",
    };
  }
  if (error instanceof MdeForbiddenError) {
    const missing = error.missingPermissions.length ? error.missingPermissions.join(" or ") : "a permission";
    return {
      code: error.code,
      message: error.message.split("\n")[0] ?? "",
      hint: `the tenant has not granted ${missing}: ask the customer to consent again from the tenant's page`,
    };
  }
  if (error instanceof MdeRateLimitedError) {
    const wait = error.retryAfterMs !== undefined ? ` in ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s` : " in a minute";
    return {
      code: error.code,
      message: error.message.split("\n")[0] ?? "",
      hint: `throttled by the customer's API: try again${wait}`,
      ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    };
  }
  const p = tenantProblem(error);
  return { code: p.code, message: p.message, hint: isMdeError(error) ? p.action : "see the console's log" };
}

/**
 * Throws the section's failure as the tenant's when it says the tenant is not
 * answering (throttled, timed out): its other sections would only queue behind
 * the same rate budget.
 */
export function stopIfThrottled(s: Section<unknown>): void {
  if (!s.ok && (s.error.code === "ERR_MDE_RATE_LIMITED" || s.error.code === "timeout")) throw new TenantReadError(s.error);
}

/** Runs `read` and keeps its failure as a value. */
export async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: failureOf(error) };
  }
}

/**
 * The tenants a read goes to: every tenant of the operator's `scope` the
 * console can call (consented, verified or degraded; not those waiting for
 * consent or failed), or the one named by `only` (which must be known and in
 * the scope: 404 otherwise).
 */
export async function readableTenants(store: Store, only?: string, scope: TenantScope = { all: true }): Promise<TenantRecord[]> {
  const tenants = (await store.listTenants()).filter((t) => scope.all || scope.tenantIds.includes(t.id));
  if (only) {
    const one = tenants.find((t) => t.id === only.toLowerCase());
    if (!one) throw new NotFoundError(`tenant ${only} is not in the console`);
    return [one];
  }
  return tenants.filter((t) => SYNCABLE_STATES.includes(t.state));
}

/**
 * Tenants whose API answered 429, until the wait it asked for has passed: a
 * page shows them as throttled at once instead of queueing behind the
 * client's paused rate budget (which would hold the page for the whole wait).
 */
export interface ThrottleMemory {
  /** The failure to show while `tenantId` is still asked to wait. */
  current(tenantId: string): TenantFailure | undefined;
  note(tenantId: string, failure: TenantFailure): void;
}

export function createThrottleMemory(clock: Clock): ThrottleMemory {
  const until = new Map<string, { at: number; failure: TenantFailure }>();
  return {
    current(tenantId) {
      const hit = until.get(tenantId);
      if (!hit) return undefined;
      const left = hit.at - clock.now();
      if (left <= 0) {
        until.delete(tenantId);
        return undefined;
      }
      return { ...hit.failure, hint: `throttled by the customer's API: try again in ${Math.ceil(left / 1000)} s`, retryAfterMs: left };
    },
    note(tenantId, failure) {
      if (failure.code !== "ERR_MDE_RATE_LIMITED" || failure.retryAfterMs === undefined) return;
      until.set(tenantId, { at: clock.now() + failure.retryAfterMs, failure });
    },
  };
}

/**
 * `read` once per tenant, at most {@link TENANT_READ_CONCURRENCY} at a time;
 * every tenant gets a part, in the order given. A tenant `throttle` says is
 * still throttled is not called.
 */
export function acrossTenants<T>(
  partner: PartnerClient<PartnerTenant>,
  tenants: readonly TenantRecord[],
  read: (api: MdeApi, tenant: TenantRecord, signal: AbortSignal) => Promise<T>,
  options: { throttle?: ThrottleMemory; concurrency?: number } = {},
): Promise<TenantPart<T>[]> {
  return mapWithConcurrency(tenants, options.concurrency ?? TENANT_READ_CONCURRENCY, async (tenant): Promise<TenantPart<T>> => {
    const waiting = options.throttle?.current(tenant.id);
    if (waiting) return { tenant, ok: false, error: waiting };
    try {
      return { tenant, ok: true, value: await read(tenantOf(partner, tenant).mde, tenant, AbortSignal.timeout(TENANT_READ_TIMEOUT_MS)) };
    } catch (error) {
      const failure = failureOf(error);
      options.throttle?.note(tenant.id, failure);
      return { tenant, ok: false, error: failure };
    }
  });
}

/**
 * A few seconds' memory of live reads, per console instance: a page reloaded
 * (or opened from the next alert with the same file) does not spend the
 * tenants' rate budgets again. Only complete parts are kept; a failure is
 * asked again next time.
 */
export interface BriefCache {
  get<T>(key: string): T | undefined;
  set<T>(key: string, value: T): void;
}

export function createBriefCache(clock: Clock, options: { ttlMs?: number; max?: number } = {}): BriefCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const max = options.max ?? 200;
  const entries = new Map<string, { at: number; value: unknown }>();
  return {
    get<T>(key: string) {
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (clock.now() - hit.at >= ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return hit.value as T;
    },
    set(key, value) {
      entries.delete(key);
      while (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(key, { at: clock.now(), value });
    },
  };
}
