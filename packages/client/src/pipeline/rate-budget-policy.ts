import type { Clock } from "../clock.js";
import type { PipelinePolicy } from "./policy.js";
import type { RateBudgets } from "./rate-budget.js";
import { parseRetryAfter } from "./retry-after.js";

/** A bucket every call of the transport counts against too (Graph's per-app budget across all tenants). */
export interface SharedBudget {
  /** Scope of the bucket: the app alone, not app+tenant. */
  readonly scope: string;
  readonly budget: string;
}

/**
 * Waits for room in the call's budget (per app+tenant, see rate-budget.ts)
 * before the call goes out, and when the server still answers 429 holds the
 * whole bucket for its `Retry-After`, so queued calls do not walk into the same wall.
 * `shared` buckets (Graph's global per-app budget) are waited for after the
 * tenant's own, so a tenant that has to wait does not hold a global slot.
 */
export function rateBudgetPolicy(budgets: RateBudgets, scope: string, clock: Clock, shared: readonly SharedBudget[] = []): PipelinePolicy {
  return {
    name: "rateBudget",
    async send(request, next) {
      await budgets.acquire(scope, request.budget, request.signal);
      for (const s of shared) await budgets.acquire(s.scope, s.budget, request.signal);
      const response = await next(request);
      if (response.status === 429) {
        const wait = parseRetryAfter(response.headers, clock.now());
        if (wait !== undefined) budgets.pause(scope, request.budget, clock.now() + wait);
      }
      return response;
    },
  };
}
