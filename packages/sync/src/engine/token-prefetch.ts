/**
 * Tokens ahead of the tenants that need them. Each tenant's sync starts with a token round trip
 * to the login host, then its first API page; behind a slow link that first round trip is a
 * good part of a tenant's time. While the running tenants sync, this asks the partner client
 * for the tokens of the next tenants in the run's order, so they are in the client's token
 * cache (or in flight, which a tenant joins: the cache is single-flight) when their turn comes.
 *
 * - Bounded: tokens only for the tenants within `window` places of the last one started, so a
 *   run of thousands neither asks for every token at once nor holds thousands of requests open,
 *   and no token waits long for its tenant (they live about an hour).
 * - Stops asking once the run's signal fires.
 * - Never decides a tenant's outcome: a failed request is dropped here. The client's cache keeps
 *   no failures, so the tenant's own sync asks again and reports its own error.
 * - Token requests go to the login host through the client's token source, not through the API
 *   pipeline, so they spend no app+tenant API rate budget.
 */
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import type { TenantRecord } from "../store/index.js";

export interface TokenPrefetchOptions {
  readonly partner: PartnerClient<PartnerTenant>;
  /** The run's tenants in the order they start. */
  readonly tenants: ReadonlyArray<Pick<TenantRecord, "id" | "alertSource">>;
  /** How many tenants past the last one started may have their token asked for. */
  readonly window: number;
  readonly signal?: AbortSignal | undefined;
}

export interface TokenPrefetch {
  /** Notes that the tenant at `index` (in the run's order) starts; moves the window on. */
  started(index: number): void;
  /** Asks for no more tokens (requests in flight finish into the client's cache). Safe to call twice. */
  close(): void;
}

/** The token a tenant's sync asks for first: its alert source's. */
function firstResource(tenant: Pick<TenantRecord, "alertSource">): "mde" | "graph" {
  return tenant.alertSource === "graph" ? "graph" : "mde";
}

/**
 * Starts asking for the first `window` tenants' tokens at once, then one more for each tenant
 * that starts.
 *
 * @example
 * const prefetch = createTokenPrefetch({ partner, tenants, window: 2 * concurrency, signal });
 * await mapWithConcurrency(tenants, concurrency, (tenant, i) => (prefetch.started(i), syncTenant(settings, tenant)));
 * prefetch.close();
 */
export function createTokenPrefetch(options: TokenPrefetchOptions): TokenPrefetch {
  const { partner, tenants, signal } = options;
  if (!Number.isInteger(options.window) || options.window < 0) throw new TypeError("window must be a non-negative integer");
  let next = 0;
  let limit = options.window;
  let closed = false;

  const pump = () => {
    while (!closed && !signal?.aborted && next < tenants.length && next < limit) {
      const tenant = tenants[next++]!;
      // A failure here is not the tenant's outcome: its own sync asks again (nothing failed is cached).
      try {
        partner.getToken(tenant.id, { resource: firstResource(tenant), ...(signal ? { signal } : {}) }).catch(() => {});
      } catch {
        // A tenant id the client refuses: the tenant's own sync reports it.
      }
    }
  };

  pump();
  return {
    started(index) {
      // A tenant that starts before its token was asked for asks for it itself.
      next = Math.max(next, index + 1);
      limit = Math.max(limit, index + 1 + options.window);
      pump();
    },
    close() {
      closed = true;
    },
  };
}
