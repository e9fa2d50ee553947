/**
 * The request stack of one tenant and one API (MDE or Microsoft Graph), top to bottom:
 * user agent → request id → (Graph: Prefer) → rate budget → retry → auth → log → fetch
 * (STYLE.md habit 5). The auth policy holds only that API's tokens and only sends them to that
 * API's origin and paths, so a Graph token never reaches the MDE API and the reverse, even where
 * both share a host (the emulator).
 */
import { GRAPH_GLOBAL_BUDGET } from "../graph/operations.js";
import type { FetchLike } from "../network.js";
import type { ResolvedPartnerOptions } from "../partner-options.js";
import type { ApiResource } from "../permissions/planner.js";
import { authPolicy, type BearerTokens } from "./auth-policy.js";
import { fetchSink } from "./fetch-sink.js";
import { logPolicy } from "./log-policy.js";
import { composePipeline, type PipelinePolicy } from "./policy.js";
import { preferPolicy } from "./prefer-policy.js";
import type { RateBudgets } from "./rate-budget.js";
import { rateBudgetPolicy } from "./rate-budget-policy.js";
import { userAgentPolicy } from "./user-agent-policy.js";
import { requestIdPolicy } from "./request-id-policy.js";
import { retryPolicy } from "./retry-policy.js";
import { createTenantTransport } from "./tenant-transport.js";
import type { MdeTransport } from "./transport.js";

export interface PipelineOptions {
  readonly tenantId: string;
  /** Which API the stack talks to. */
  readonly resource: ApiResource;
  /** API base URL (the tenant's MDE region host, or the cloud's Graph host). */
  readonly baseUrl: string;
  /** The partner client's resolved options (user agent, clock, sleep, retry, logger, timeout). */
  readonly options: Pick<ResolvedPartnerOptions, "clientId" | "userAgent" | "clock" | "sleep" | "random" | "retry" | "logger" | "timeoutMs"> &
    Partial<Pick<ResolvedPartnerOptions, "maxResponseBytes">>;
  readonly fetch: FetchLike;
  /** The client's rate budgets; `undefined` when they are switched off. */
  readonly budgets: RateBudgets | undefined;
  /** This tenant's tokens of `resource`. */
  readonly tokens: BearerTokens;
}

/** The authenticated `MdeTransport` of one tenant and one API. */
export function createPipeline(p: PipelineOptions): MdeTransport {
  const { clientId, userAgent, clock, sleep, random, retry, logger, timeoutMs } = p.options;
  const { budgets, resource } = p;
  const graph = resource === "graph";
  const scope = `${clientId}|${p.tenantId}`;
  const base = new URL(p.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const policies: PipelinePolicy[] = [userAgentPolicy(userAgent), requestIdPolicy()];
  if (graph) policies.push(preferPolicy());
  if (budgets) {
    // Graph also counts every call against the app's global budget across all tenants.
    const shared = graph ? [{ scope: clientId, budget: GRAPH_GLOBAL_BUDGET }] : [];
    policies.push(rateBudgetPolicy(budgets, scope, clock, shared));
  }
  policies.push(
    retryPolicy({
      ...retry,
      clock,
      sleep,
      random,
      ...(budgets
        ? {
            onThrottle: (request, wait) => budgets.pause(scope, request.budget, clock.now() + wait),
            beforeRetry: (request) => budgets.acquire(scope, request.budget, request.signal),
          }
        : {}),
    }),
    authPolicy(p.tokens, base.origin, {
      pathPrefixes: graph ? [`${basePath}/v1.0/`, `${basePath}/beta/`] : [`${basePath}/api/`],
      audienceName: graph ? "the tenant's Microsoft Graph" : "the tenant's MDE",
    }),
    logPolicy(logger, clock, graph ? "Microsoft Graph" : "MDE"),
  );
  return createTenantTransport({
    tenantId: p.tenantId,
    baseUrl: p.baseUrl,
    pipeline: composePipeline(policies, fetchSink(p.fetch, p.options.maxResponseBytes)),
    fetch: p.fetch,
    userAgent,
    clock,
    timeoutMs,
  });
}
