/**
 * Cross-tenant hunting: one KQL query on every chosen tenant at once, through
 * Microsoft Graph `runHuntingQuery` by default (graph-security.md §3; the legacy
 * MDE endpoint `POST /api/advancedqueries/run` stops returning data on
 * 2027-02-01 and stays available with `backend: "legacy"`). Budgets (45
 * calls/min per tenant on both) are the client's to enforce. Rows merged with
 * `TenantId`/`TenantName` first, per-tenant failures reported beside the rows.
 * Values belong in the query only through `kql`/`quoteKqlString` (kql.ts).
 */

import { mapWithConcurrency } from "@mde-partner/client";
import { tenantOf } from "./tenant-of.js";
import { tenantProblem } from "./tenant-problem.js";
import type { HuntOptions, HuntResult, HuntTenantOutcome } from "./types.js";

/** One tenant's part of a hunt: its rows (with `TenantId`/`TenantName`) and columns, or its error. */
export interface TenantRows {
  outcome: HuntTenantOutcome;
  schema: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
}

/**
 * Runs the hunt in one tenant; a failure is the part's `outcome.error`, never
 * a rejection (the workers run one tenant per job with this).
 */
export async function huntTenant(
  options: Pick<HuntOptions, "partner" | "query" | "backend" | "signal">,
  tenantId: string,
  record: { name: string; region: string | null } | undefined,
): Promise<TenantRows> {
  const tenantName = record?.name;
  const named = tenantName !== undefined ? { tenantName } : {};
  const started = Date.now();
  try {
    options.signal?.throwIfAborted();
    const tenant = tenantOf(options.partner, { id: tenantId, region: record?.region });
    const signal = options.signal ? { signal: options.signal } : {};
    let schema: Array<{ name: string; type: string }>;
    let results: unknown[];
    if ((options.backend ?? "graph") === "graph") {
      const result = await tenant.hunt(options.query, signal);
      schema = result.schema.map((c) => ({ name: String(c.name), type: String(c.type) }));
      results = result.results;
    } else {
      const result = await tenant.mde.hunting.run(options.query, signal);
      schema = result.Schema.map((c) => ({ name: String(c.Name), type: String(c.Type) }));
      results = result.Results;
    }
    const rows = results.map((row) => ({
      TenantId: tenantId,
      TenantName: tenantName ?? null,
      ...(row as Record<string, unknown>),
    }));
    return { outcome: { tenantId, ...named, rows: rows.length, durationMs: Date.now() - started }, schema, rows };
  } catch (error) {
    const p = tenantProblem(error);
    return {
      outcome: { tenantId, ...named, rows: 0, durationMs: Date.now() - started, error: { code: p.code, message: p.message } },
      schema: [],
      rows: [],
    };
  }
}

/** Merges the tenants' parts: `TenantId`, `TenantName`, then the union of their columns in first-seen order. */
export function mergeHuntParts(parts: readonly TenantRows[]): HuntResult {
  const schema: Array<{ name: string; type: string }> = [
    { name: "TenantId", type: "String" },
    { name: "TenantName", type: "String" },
  ];
  const seen = new Set(schema.map((c) => c.name));
  for (const part of parts) {
    for (const c of part.schema) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      schema.push(c);
    }
  }
  return {
    schema,
    rows: parts.flatMap((p) => p.rows),
    errors: parts.flatMap((p) =>
      p.outcome.error
        ? [
            {
              tenantId: p.outcome.tenantId,
              ...(p.outcome.tenantName !== undefined ? { tenantName: p.outcome.tenantName } : {}),
              ...p.outcome.error,
            },
          ]
        : [],
    ),
    tenants: parts.map((p) => p.outcome),
  };
}

/**
 * @example
 * const result = await huntAcrossTenants({ partner, store, tenantIds, query: kql`DeviceInfo | where DeviceName == ${name}` });
 * for (const e of result.errors) console.error(e.tenantId, e.code, e.message);
 */
export async function huntAcrossTenants(options: HuntOptions): Promise<HuntResult> {
  if (!options || typeof options.query !== "string" || options.query.trim() === "") throw new TypeError("hunt needs a non-empty query");
  if (!Array.isArray(options.tenantIds)) throw new TypeError("tenantIds must be an array");
  const concurrency = options.concurrency ?? 8;
  const ids = [...new Set(options.tenantIds)];
  const records = new Map<string, { name: string; region: string | null }>();
  if (options.store) {
    for (const id of ids) {
      const t = await options.store.getTenant(id);
      if (t) records.set(id, { name: t.name, region: t.region });
    }
  }
  const parts = await mapWithConcurrency(ids, concurrency, (tenantId) => huntTenant(options, tenantId, records.get(tenantId)));
  return mergeHuntParts(parts);
}
