/**
 * How hunts and response actions print, whether they ran here or on the
 * workers (`--workers`, `batches show`): one place, so both read the same.
 */
import type { HuntResult, ResponseActionOutcome } from "@mde-partner/sync";
import { type CliError, multiTenantExit, toCliError } from "../errors.js";
import type { Output } from "../output/output.js";

/** Prints a merged hunt (rows, then one error line per failed tenant); the exit code follows the failures. */
export function printHuntResult(out: Output, result: HuntResult, tenantCount: number): number {
  if (out.mode === "json") out.json(result);
  else if (out.mode === "ndjson") for (const row of result.rows) out.record(row);
  else if (result.rows.length > 0) {
    out.table(
      result.schema
        .filter((c) => c.name !== "TenantId")
        .map((c) => ({ header: c.name, value: (r: Record<string, unknown>) => r[c.name], max: 40 })),
      result.rows,
    );
  }
  const failures: CliError[] = [];
  for (const e of result.errors) {
    const cli = toCliError(Object.assign(new Error(e.message), { code: e.code }));
    out.error(`tenant ${e.tenantName ?? e.tenantId} (${e.tenantId}): ${cli.message}`, cli.hint);
    failures.push(cli);
  }
  if (result.errors.length < tenantCount)
    out.note(`${result.rows.length} row(s) from ${tenantCount - result.errors.length} of ${tenantCount} tenant(s)`);
  return multiTenantExit(failures, tenantCount);
}

/** Prints response-action outcomes (one row per machine, then an error line per failure); the exit code follows the failures. */
export function printActionOutcomes(out: Output, outcomes: readonly ResponseActionOutcome[], names: ReadonlyMap<string, string>): number {
  if (out.mode === "json") out.json(outcomes);
  else if (out.mode === "ndjson") for (const o of outcomes) out.record(o);
  else
    out.table(
      [
        { header: "MACHINE", value: (o: ResponseActionOutcome) => names.get(o.machineId) ?? o.machineId, max: 32 },
        { header: "ACTION", value: (o: ResponseActionOutcome) => o.action },
        {
          header: "RESULT",
          value: (o: ResponseActionOutcome) => o.result,
          style: (t: string) => (t === "failed" ? out.palette.red(t) : out.palette.green(t)),
        },
        { header: "ACTION ID", value: (o: ResponseActionOutcome) => o.machineAction?.id ?? "" },
        { header: "STATUS", value: (o: ResponseActionOutcome) => o.machineAction?.status ?? "" },
        { header: "ERROR", value: (o: ResponseActionOutcome) => o.error?.message ?? "", max: 60 },
      ],
      outcomes,
    );
  const failures: CliError[] = [];
  for (const o of outcomes) {
    if (o.result !== "failed") continue;
    const e = toCliError(Object.assign(new Error(o.error?.message ?? "failed"), { code: o.error?.code }));
    out.error(`machine ${names.get(o.machineId) ?? o.machineId}: ${e.message}`, e.hint);
    failures.push(e);
  }
  return multiTenantExit(failures, outcomes.length);
}
