/**
 * @mde-partner/server — the partner console: operator sign-in, onboarding by
 * admin consent, tenants, alerts, devices and response actions, hunting, the
 * audit log, and a JSON API behind the pages.
 */
export { type ConsoleAddress, createConsole, createOneTimeLogin, type PartnerConsole } from "./console.js";
export { type ApiMetrics, createApiMetrics, type TenantApiCounters } from "./metrics.js";
export type { ApprovalOptions, Clock, ConsoleOptions, TlsPem } from "./options.js";
export { openApiDocument } from "./openapi.js";
export { SSO_CALLBACK_PATH, type SsoOptions } from "./sso/sso-options.js";
export { MIN_PASSWORD_LENGTH, passwordProblem } from "./password.js";
export { createSelfSignedCertificate, spkiHash } from "./tls.js";
export { addUser, ROLES, type Role, readUsers, removeUser, type UserRecord } from "./users-file.js";
export {
  collectReport,
  DEFAULT_CHROMIUM,
  logoDataUri,
  parseDay,
  previousMonth,
  type PrintOptions,
  printReportPdf,
  type ReportBranding,
  type ReportData,
  ReportError,
  type ReportErrorCode,
  type ReportRequest,
  renderReportHtml,
  reportFileName,
} from "./report/index.js";
