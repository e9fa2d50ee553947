export { csvField, csvRecord } from "./engine/csv.js";
export { CSV_COLUMNS, exportAlerts } from "./engine/export.js";
export { huntAcrossTenants } from "./engine/hunt.js";
export { kql, kqlLiteral, quoteKqlString } from "./engine/kql.js";
export { runResponseAction } from "./engine/response-actions.js";
export { SYNCABLE_STATES, syncOnce, syncWatch } from "./engine/sync-all.js";
export { type TenantProblem, tenantProblem } from "./engine/tenant-problem.js";
export type * from "./engine/types.js";
export { type VerifyTenantOptions, verifyTenant } from "./engine/verify-tenant.js";
export {
  createWebhookForwarder,
  idempotencyKey,
  type WebhookForwarder,
  type WebhookForwarderOptions,
  type WebhookPassResult,
} from "./engine/webhook.js";
export * from "./store/index.js";
