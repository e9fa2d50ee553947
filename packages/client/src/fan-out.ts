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
  const results = new Array<TenantResult<T>>(list.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= list.length) return;
      const tenantId = list[index] as string;
      if (options.signal?.aborted) {
        results[index] = { tenantId, ok: false, error: options.signal.reason };
        continue;
      }
      try {
        results[index] = { tenantId, ok: true, value: await fn(tenantId, index) };
      } catch (error) {
        results[index] = { tenantId, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  return results;
}
