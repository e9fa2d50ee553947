/**
 * Run one function per tenant with bounded concurrency (octokit's
 * `eachInstallation`, for tenants). Every tenant gets a result; one tenant's
 * failure never stops the others.
 */

export type TenantResult<T> = { tenantId: string; ok: true; value: T } | { tenantId: string; ok: false; error: unknown };

export interface ForEachTenantOptions {
  /** Tenants in flight at once. Default 8. */
  concurrency?: number;
  /** Stops starting new tenants; tenants not started report the abort reason. */
  signal?: AbortSignal;
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the
 * input order. `fn` is expected to catch its own errors (each tenant reports
 * its outcome); a throw still rejects the whole run.
 *
 * @example
 * const counts = await mapWithConcurrency(tenantIds, 4, async (id) => (await partner.tenant(id).mde.alerts.list().all()).length);
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R> | R,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`concurrency must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Runs `fn` once per tenant, at most `concurrency` at once (default 8); every tenant gets a result.
 *
 * @example
 * const results = await forEachTenant(tenantIds, (id) => partner.tenant(id).getToken(), { concurrency: 4 });
 * const failed = results.filter((r) => !r.ok);
 */
export async function forEachTenant<T>(
  tenants: Iterable<string>,
  fn: (tenantId: string, index: number) => Promise<T> | T,
  options: ForEachTenantOptions = {},
): Promise<TenantResult<T>[]> {
  const list = [...tenants];
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError("concurrency must be a positive integer");
  if (typeof fn !== "function") throw new TypeError("fn must be a function");
  return mapWithConcurrency(list, concurrency, async (tenantId, index): Promise<TenantResult<T>> => {
    if (options.signal?.aborted) return { tenantId, ok: false, error: options.signal.reason };
    try {
      return { tenantId, ok: true, value: await fn(tenantId, index) };
    } catch (error) {
      return { tenantId, ok: false, error };
    }
  });
}
