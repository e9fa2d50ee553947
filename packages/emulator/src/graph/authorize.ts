import { type Authorization, bearerToken, grantsAny } from "../core/bearer.js";
import type { Clock } from "../core/clock.js";
import { type AppContext, applyFaults } from "../core/http.js";
import type { RateLimits } from "../core/rate-limit.js";
import type { EmulatorState } from "../core/state.js";
import type { GraphCall } from "./graph-call.js";
import { formatRetryAfter, graphCodeForStatus, graphError, graphThrottled } from "./graph-error.js";

/**
 * Per app+tenant budgets (graph-security.md §3.3 and §6):
 * - `hunting`: runHuntingQuery, "at least 45 calls per minute per tenant";
 * - `security`: 150 requests per minute per app per tenant, written for the
 *   security resources (`alert`, `securityActions`, `secureScore`); applying it to
 *   alerts_v2 and incidents is DOC-SILENT, so both share one `security` bucket.
 */
export const GRAPH_LIMITS: Readonly<Record<GraphBucket, RateLimits>> = {
  hunting: { perMinute: 45 },
  security: { perMinute: 150 },
};

/** Graph's global budget: 2,000 requests per second per app across all tenants (graph-security.md §6). */
export const GRAPH_APP_PER_SECOND = 2000;

export type GraphBucket = "hunting" | "security";

export interface GraphOperation {
  /** Operation name for the journal (`ListAlertsV2`, `RunHuntingQuery`). */
  name: string;
  /** Any one of these Graph application permissions suffices (graph-security.md §2). */
  roles: readonly string[];
  bucket: GraphBucket;
}

/** A per-second request budget per app, across tenants; owned by one Graph router instance. */
export interface AppBudget {
  take(clientId: string): { ok: true } | { ok: false; retryAfterMs: number };
}

/** Fixed one-second windows aligned to the clock, like `core/rate-limit.ts` aligns minutes. */
export function createAppBudget(clock: Clock, perSecond: number): AppBudget {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(clientId) {
      const now = clock.now();
      const start = now - (now % 1000);
      let w = windows.get(clientId);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        windows.set(clientId, w);
      }
      if (w.count >= perSecond) return { ok: false, retryAfterMs: start + 1000 - now };
      w.count++;
      return { ok: true };
    },
  };
}

const TOKEN_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/audience/, "Access token validation failure. Invalid audience."],
  [/expired/, "Lifetime validation failed, the token is expired."],
  [/signature|signing key/, "Access token validation failure. Invalid signature."],
  [/issuer/, "Access token validation failure. Invalid issuer."],
];

/**
 * Authenticates and authorizes one Graph call: bearer token verified for the
 * Graph resource (an MDE token is refused: wrong audience → 401
 * `InvalidAuthenticationToken`), injected faults (target `graph`), the
 * operation's application permission (403), then the global per-app budget and
 * the per app+tenant budget (429 with a fractional `Retry-After`).
 */
export async function authorizeGraph(
  state: EmulatorState,
  c: AppContext,
  call: GraphCall,
  op: GraphOperation,
  appBudget: AppBudget,
): Promise<Authorization> {
  const journal = Object.assign(c.get("journal"), { kind: "graph", operation: op.name });
  const fail = (status: number, code: string, message: string, headers?: Record<string, string>) => {
    journal.error = code;
    return { ok: false as const, response: graphError(call, status, code, message, headers ? { headers } : {}) };
  };
  // Graph answers 401 with a Bearer challenge naming its own app id.
  const challenge = {
    "WWW-Authenticate": `Bearer realm="", authorization_uri="${state.baseUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
  };
  const bearer = await bearerToken(state, c, "graph");
  if (!bearer.ok) {
    const { reason } = bearer;
    const message = reason === null ? "Access token is empty." : (TOKEN_MESSAGES.find(([re]) => re.test(reason))?.[1] ?? "Access token validation failure.");
    return fail(401, "InvalidAuthenticationToken", message, challenge);
  }
  const verified = bearer.token;
  const faulted = await applyFaults(state, c, "graph", verified.tenantId, (status, retryAfter) =>
    status === 429
      ? graphThrottled(call, String(retryAfter ?? 1))
      : graphError(call, status, graphCodeForStatus(status), status >= 500 ? "" : "Injected fault."),
  );
  if (faulted) return { ok: false, response: faulted };
  if (!grantsAny(verified.roles, op.roles)) {
    // DOC-SILENT: the pages document only the permission table; the code is the status name, as Graph's security errors use.
    return fail(
      403,
      "Forbidden",
      `Missing application roles. API required roles: ${op.roles.join(", ")}. Application roles in the token: ${verified.roles.join(", ") || "none"}.`,
    );
  }
  if (state.options.rateLimits) {
    const global = appBudget.take(verified.clientId);
    if (!global.ok) {
      journal.error = "TooManyRequests";
      return { ok: false, response: graphThrottled(call, formatRetryAfter(global.retryAfterMs)) };
    }
    const limits = GRAPH_LIMITS[op.bucket];
    const decision = state.limiter.take(`${verified.clientId}|${verified.tenantId}|graph:${op.bucket}`, limits);
    if (!decision.ok) {
      journal.error = "TooManyRequests";
      // The limiter's windows are aligned to the clock, so the time left is exact to the millisecond.
      const now = state.clock.now();
      const windowMs = decision.window === "minute" ? 60_000 : 3_600_000;
      return { ok: false, response: graphThrottled(call, formatRetryAfter(windowMs - (now % windowMs))) };
    }
  }
  return { ok: true, token: verified };
}
