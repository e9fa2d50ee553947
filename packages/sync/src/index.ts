export * from "./store/index.js";
export type * from "./engine/types.js";
export { syncOnce, syncWatch, SYNCABLE_STATES } from "./engine/sync-all.js";
export { huntAcrossTenants } from "./engine/hunt.js";
export { runResponseAction } from "./engine/response-actions.js";
export { CSV_COLUMNS, exportAlerts } from "./engine/export.js";
export { verifyTenant, type VerifyTenantOptions } from "./engine/verify-tenant.js";
export {
  createWebhookForwarder,
  idempotencyKey,
  type WebhookForwarder,
  type WebhookForwarderOptions,
  type WebhookPassResult,
} from "./engine/webhook.js";
export { kql, kqlLiteral, quoteKqlString } from "./engine/kql.js";
export { csvField, csvRecord } from "./engine/csv.js";
export { tenantProblem, type TenantProblem } from "./engine/tenant-problem.js";
