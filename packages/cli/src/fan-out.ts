/**
 * Runs one function per customer tenant with bounded concurrency (the
 * client's pool). A tenant's failure never stops the others: it is reported on
 * stderr as it happens (one line and a hint, naming the tenant) and counted for
 * the exit code (3 when some failed).
 */
import { mapWithConcurrency } from "@mde-partner/client";
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
  type Outcome = { tenant: TenantRecord; value: T } | TenantFailure;
  const outcomes = await mapWithConcurrency(tenants, Math.max(1, options.concurrency ?? 4), async (tenant): Promise<Outcome> => {
    try {
      return { tenant, value: await fn(tenant) };
    } catch (cause) {
      const error = toCliError(cause);
      if (options.report !== false)
        out.error(`tenant ${tenant.name === tenant.id ? tenant.id : `${tenant.name} (${tenant.id})`}: ${error.message}`, error.hint);
      return { tenant, error, cause };
    }
  });
  const results = outcomes.filter((o) => "value" in o);
  const failures = outcomes.filter((o) => "error" in o);
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
