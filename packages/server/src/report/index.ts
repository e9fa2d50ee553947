export { SEVERITY_COLORS } from "./charts.js";
export {
  collectReport,
  type DurationStats,
  parseDay,
  type ReportAction,
  type ReportCve,
  type ReportData,
  type ReportDevice,
  type ReportExposure,
  type ReportRequest,
  type ScoreSeries,
  SEVERITIES,
} from "./report-data.js";
export { ReportError, type ReportErrorCode } from "./report-error.js";
export { logoDataUri, MAX_LOGO_BYTES } from "./report-logo.js";
export { type ReportBranding, renderReportHtml } from "./report-page.js";
export { DEFAULT_CHROMIUM, type PrintOptions, printReportPdf } from "./report-pdf.js";
export { previousMonth, reportFileName } from "./report-schedule.js";
