export { csvField, csvRecord } from "./engine/csv.js";
export { CSV_COLUMNS, exportAlerts } from "./engine/export.js";
export { graphAlertToMde, MDE_SERVICE_SOURCE, mdeAlertId, toGraphAlertInput, toIncidentInput } from "@mde-partner/client";
export { GRAPH_ALERTS_STREAM, GRAPH_INCIDENTS_STREAM } from "./engine/graph-sync.js";
export * from "./engine/baseline/index.js";
export { removeIndicator, submitIndicator } from "./engine/indicators.js";
export { huntAcrossTenants, huntTenant, mergeHuntParts, type TenantRows } from "./engine/hunt.js";
export { kql, kqlLiteral, quoteKqlString } from "./engine/kql.js";
export { checkResponseActionRequest, runResponseAction } from "./engine/response-actions.js";
export { type OnboardedTenant, type OnboardingOptions, onboardTenant, type TenantOnboarding } from "./engine/onboard-tenant.js";
export { DEFAULT_SYNC_CONCURRENCY, partitionSyncable, SYNCABLE_STATES, selectTenants, skipReason, syncOnce, syncWatch, type TenantSelection } from "./engine/sync-all.js";
export { problemForTenant, type TenantProblem, tenantProblem } from "./engine/tenant-problem.js";
export { tenantOf } from "./engine/tenant-of.js";
export { DEFAULT_TVM_INTERVAL_MS, TVM_RETRY_MS, TVM_STREAM, tvmDue } from "./engine/tvm-sync.js";
export type * from "./engine/types.js";
export { type AlertUpdateRequest, auditReason, updateAlert } from "./engine/update-alert.js";
export { GRAPH_SOURCE_NEEDS, permissionsNeeded, tenantCapabilities, type VerifyTenantOptions, verifyTenant } from "./engine/verify-tenant.js";
export {
  createWebhookForwarder,
  idempotencyKey,
  MAX_REDIRECTS,
  type WebhookForwarder,
  type WebhookForwarderOptions,
  type WebhookPassResult,
} from "./engine/webhook.js";
export {
  type AddressKind,
  checkWebhookUrl,
  classifyAddress,
  refusedAddress,
  type WebhookTargetPolicy,
  WebhookTargetError,
} from "./engine/webhook-target.js";
export * from "./engine/notify/index.js";
export * from "./store/index.js";
export { createPostgresBudgetStore, type PostgresBudgetStore, type PostgresBudgetStoreOptions } from "./workers/postgres-budget-store.js";
export { SYNC_QUEUE, type SyncJobData } from "./workers/sync-queue.js";
export { createSyncWorker, type SyncWorker } from "./workers/sync-worker.js";
export type { SyncWorkerOptions, WorkerEvent } from "./workers/worker-options.js";
export {
  type BatchQueue,
  type BatchQueueOptions,
  type HuntSubmission,
  openBatchQueue,
  readHuntBatch,
  readResponseActionBatch,
  type ResponseActionSubmission,
  waitForBatch,
  type WaitForBatchOptions,
} from "./workers/batch-queue.js";
export { WORKER_LOST } from "./workers/reconcile-batches.js";
export { TASK_QUEUE, type TaskJobData } from "./workers/task-queue.js";
export type { HuntBatchRequest, ResponseActionBatchRequest } from "./workers/task-runner.js";
