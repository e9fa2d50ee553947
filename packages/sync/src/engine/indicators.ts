/**
 * Custom threat indicators an operator submits or removes (mde-api.md §5.5), each audited as
 * `completed` (with the indicator's id) or `failed` (with the first line of why).
 */
import type { Indicator, IndicatorSubmission } from "@mde-partner/client";
import { StoreError, type TenantRecord } from "../store/index.js";
import { firstLine } from "./tenant-problem.js";
import { tenantOf } from "./tenant-of.js";
import type { OperatorContext } from "./types.js";

async function storedTenant(ctx: OperatorContext, tenantId: string): Promise<TenantRecord> {
  const record = await ctx.store.getTenant(tenantId);
  if (!record) throw new StoreError("ERR_STORE_TENANT_UNKNOWN", `tenant ${tenantId} is not in the store: add it first`);
  return record;
}

/**
 * Submits an indicator to a stored tenant and audits it.
 *
 * @example
 * const created = await submitIndicator(ctx, { tenantId, submission: { indicatorType: "FileSha256", indicatorValue, action: "Audit", title: "t", description: "t" } });
 */
export async function submitIndicator(
  ctx: OperatorContext,
  request: { readonly tenantId: string; readonly submission: IndicatorSubmission },
): Promise<Indicator> {
  const record = await storedTenant(ctx, request.tenantId);
  const entry = { actor: ctx.actor, action: "indicator.add", tenantId: record.id, request: request.submission } as const;
  let created: Indicator;
  try {
    created = await tenantOf(ctx.partner, record).mde.indicators.submit(request.submission);
  } catch (error) {
    await ctx.store.appendAudit({ ...entry, phase: "failed", result: firstLine(error) }).catch(() => {});
    throw error;
  }
  await ctx.store.appendAudit({ ...entry, phase: "completed", target: String(created.id) });
  return created;
}

/**
 * Removes an indicator (by its numeric id) from a stored tenant and audits it.
 *
 * @example
 * await removeIndicator(ctx, { tenantId, indicatorId: "1234" });
 */
export async function removeIndicator(ctx: OperatorContext, request: { readonly tenantId: string; readonly indicatorId: string }): Promise<void> {
  const record = await storedTenant(ctx, request.tenantId);
  const entry = { actor: ctx.actor, action: "indicator.remove", tenantId: record.id, target: request.indicatorId } as const;
  try {
    await tenantOf(ctx.partner, record).mde.indicators.delete(request.indicatorId);
  } catch (error) {
    await ctx.store.appendAudit({ ...entry, phase: "failed", result: firstLine(error) }).catch(() => {});
    throw error;
  }
  await ctx.store.appendAudit({ ...entry, phase: "completed" });
}
