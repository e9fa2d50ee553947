/**
 * An alert update an operator asks for (mde-api.md §6.1), from the CLI or the console: read first so
 * a wrong id is refused (and audited as failed) without sending anything, then audited `requested`
 * → PATCH → the API's answer written into the store (the console shows it before the next sync; the
 * cursor stays where it was) → audited `completed` or `failed`, tied by a correlation id.
 */
import { randomUUID } from "node:crypto";
import type { Alert, AlertUpdate } from "@mde-partner/client";
import { StoreError } from "../store/index.js";
import { firstLine } from "./tenant-problem.js";
import { tenantOf } from "./tenant-of.js";
import type { OperatorContext } from "./types.js";

/** What an alert update changes, on which alert of which stored tenant. */
export interface AlertUpdateRequest {
  readonly tenantId: string;
  readonly alertId: string;
  readonly update: AlertUpdate;
}

/** `ERR_MDE_NOT_FOUND: alert … was not found` — the code first, then the first line of why. */
export function auditReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return `${typeof code === "string" ? code : "ERR_UNEXPECTED"}: ${firstLine(error)}`;
}

/**
 * Updates an alert through the MDE API and the store, with its audit trail; resolves with the alert
 * the API returned, rejects with the API's (or the store's) error after auditing it.
 *
 * @example
 * const alert = await updateAlert({ store, partner, actor: "cli:alice" }, { tenantId, alertId, update: { status: "Resolved" } });
 */
export async function updateAlert(ctx: OperatorContext, request: AlertUpdateRequest): Promise<Alert> {
  const { store, partner, actor } = ctx;
  const { tenantId, alertId, update } = request;
  const record = await store.getTenant(tenantId);
  if (!record) throw new StoreError("ERR_STORE_TENANT_UNKNOWN", `tenant ${tenantId} is not in the store: add it first`);
  const tenant = tenantOf(partner, record);
  const entry = { actor, action: "alert.update", tenantId: record.id, target: alertId } as const;
  try {
    await tenant.mde.alerts.get(alertId);
  } catch (error) {
    await store
      .appendAudit({ ...entry, phase: "failed", comment: update.comment ?? null, request: update, result: auditReason(error) })
      .catch(() => {});
    throw error;
  }
  const correlationId = randomUUID();
  await store.appendAudit({ ...entry, phase: "requested", comment: update.comment ?? null, request: update, correlationId });
  try {
    const updated = await tenant.mde.alerts.update(alertId, update);
    const cursor = (await store.getCursor(record.id, "alerts")) ?? { value: null, seenIds: [] };
    await store.applyAlertPage(record.id, [updated], { value: cursor.value, seenIds: cursor.seenIds });
    await store.appendAudit({ ...entry, phase: "completed", result: `status ${updated.status}`, correlationId });
    return updated;
  } catch (error) {
    await store.appendAudit({ ...entry, phase: "failed", result: auditReason(error), correlationId }).catch(() => {});
    throw error;
  }
}
