/**
 * Runs one function per customer tenant with bounded concurrency. A tenant's
 * failure never stops the others: it is reported on stderr (one line and a
 * hint, naming the tenant) and counted for the exit code (3 when some failed).
 */
import type { TenantRecord } from "@mde-partner/sync";
import { type CliError, multiTenantExit, toCliError } from "./errors.js";
import type { Output } from "./output/output.js";

export interface TenantFailure {
  tenant: TenantRecord;
  error: CliError;
  cause: unknown;
}

export async function forEachTenantReported<T>(
  tenants: readonly TenantRecord[],
  fn: (tenant: TenantRecord) => Promise<T>,
  out: Output,
  options: { concurrency?: number; report?: boolean } = {},
): Promise<{ results: Array<{ tenant: TenantRecord; value: T }>; failures: TenantFailure[]; exitCode: number }> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const results: Array<{ tenant: TenantRecord; value: T }> = [];
  const failures: TenantFailure[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const tenant = tenants[next++];
      if (!tenant) return;
      try {
        results.push({ tenant, value: await fn(tenant) });
      } catch (cause) {
        const error = toCliError(cause);
        failures.push({ tenant, error, cause });
        if (options.report !== false)
          out.error(`tenant ${tenant.name === tenant.id ? tenant.id : `${tenant.name} (${tenant.id})`}: ${error.message}`, error.hint);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tenants.length) }, worker));
  // With a single tenant its own error is the command's error (exit code included).
  return {
    results,
    failures,
    exitCode: multiTenantExit(
      failures.map((f) => f.error),
      tenants.length,
    ),
  };
}
