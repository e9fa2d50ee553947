import type { Clock } from "../clock.js";
import type { PipelinePolicy } from "./policy.js";
import type { RateBudgets } from "./rate-budget.js";
import { parseRetryAfter } from "./retry-after.js";

/**
 * Waits for room in the call's budget (per app+tenant, see rate-budget.ts)
 * before the call goes out, and when the server still answers 429 holds the
 * whole bucket for its `Retry-After`, so queued calls do not walk into the same wall.
 */
export function rateBudgetPolicy(budgets: RateBudgets, scope: string, clock: Clock): PipelinePolicy {
  return {
    name: "rateBudget",
    async send(request, next) {
      await budgets.acquire(scope, request.budget, request.signal);
      const response = await next(request);
      if (response.status === 429) {
        const wait = parseRetryAfter(response.headers, clock.now());
        if (wait !== undefined) budgets.pause(scope, request.budget, clock.now() + wait);
      }
      return response;
    },
  };
}
