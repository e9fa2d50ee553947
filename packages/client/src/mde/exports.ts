/**
 * Export assessment APIs, per device (mde-api.md §5.17; get-assessment-*.md).
 * JSON variants page by `@odata.nextLink` + `$skiptoken` and are sized with `pageSize` (default 50,000,
 * max 200,000). `$top` is never sent: with it the service returns no next link ("doesn't pull all the data").
 * File variants return SAS URLs of gzip'd multiline JSON (5 calls/min, 20/hour).
 */
import type {
  ExportFilesResponse,
  SecureConfigAssessment,
  SoftwareInventoryAssessment,
  SoftwareVulnerabilityAssessment,
} from "./models/export.js";
import type { OperationName } from "./operations.js";
import { readExportFile, readExportFiles, type ReadExportOptions } from "./export-files.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, exportList, type RequestOptions, sendJson } from "./call.js";

/** Documented maximum page size of the JSON export APIs. */
export const MAX_EXPORT_PAGE_SIZE = 200_000;
/** Documented maximum of `sasValidHours` for assessment file exports. */
export const MAX_EXPORT_SAS_VALID_HOURS = 6;
/** How far back `sinceTime` of the delta export may reach (14 days). */
export const MAX_DELTA_LOOK_BACK_MS = 14 * 24 * 3600_000;

/** Options of the JSON export lists. */
export interface ExportListOptions extends RequestOptions {
  /** Rows per page (`pageSize`, ≤ 200,000; the service defaults to 50,000). */
  pageSize?: number;
}

/** Options of the file exports. */
export interface ExportFilesOptions extends RequestOptions {
  /** Validity of the SAS URLs in hours (≤ 6; the service defaults to 1). */
  sasValidHours?: number;
}

/** The export assessment API of one tenant. */
export interface ExportsResource {
  /** `GET /api/machines/SecureConfigurationsAssessmentByMachine`. */
  listSecureConfigurations(options?: ExportListOptions): PagedResult<SecureConfigAssessment>;
  /** `GET /api/machines/SoftwareVulnerabilitiesByMachine`. */
  listSoftwareVulnerabilities(options?: ExportListOptions): PagedResult<SoftwareVulnerabilityAssessment>;
  /** `GET /api/machines/SoftwareVulnerabilityChangesByMachine?sinceTime=…` (delta, ≤ 14 days back). */
  listSoftwareVulnerabilityChanges(sinceTime: Date, options?: ExportListOptions): PagedResult<SoftwareVulnerabilityAssessment>;
  /** `GET /api/machines/SoftwareInventoryByMachine`. */
  listSoftwareInventory(options?: ExportListOptions): PagedResult<SoftwareInventoryAssessment>;
  /** `GET /api/machines/SecureConfigurationsAssessmentExport`. */
  exportSecureConfigurationsFiles(options?: ExportFilesOptions): Promise<ExportFilesResponse>;
  /** `GET /api/machines/SoftwareVulnerabilitiesExport`. */
  exportSoftwareVulnerabilitiesFiles(options?: ExportFilesOptions): Promise<ExportFilesResponse>;
  /** `GET /api/machines/SoftwareInventoryExport`. */
  exportSoftwareInventoryFiles(options?: ExportFilesOptions): Promise<ExportFilesResponse>;
  /** `GET /api/machines/SoftwareInventoryNonCpeExport`. */
  exportSoftwareInventoryNonCpeFiles(options?: ExportFilesOptions): Promise<ExportFilesResponse>;
  /**
   * Streams the rows of one export file (a URL of `exportFiles`), downloaded without the bearer
   * token and never held whole in memory.
   */
  readFile<T = Record<string, unknown>>(url: string, options?: ReadExportOptions): AsyncGenerator<T, void, undefined>;
  /** Streams the rows of every file of an export response, file after file. */
  readFiles<T = Record<string, unknown>>(exported: Pick<ExportFilesResponse, "exportFiles">, options?: ReadExportOptions): AsyncGenerator<T, void, undefined>;
}

/** The `sasValidHours` query, validated. */
export function sasQuery(hours: number | undefined, max: number): Record<string, number> | undefined {
  if (hours === undefined) return undefined;
  if (!Number.isSafeInteger(hours) || hours < 1 || hours > max)
    throw new TypeError(`sasValidHours must be an integer from 1 to ${max}, got ${hours}`);
  return { sasValidHours: hours };
}

/** Creates the export assessment resource over a transport (`now` is injectable for the delta window check). */
export function createExportsResource(transport: MdeTransport, now: () => number = Date.now): ExportsResource {
  const json = <T>(name: OperationName, path: string, options: ExportListOptions, query?: Record<string, string>) =>
    exportList<T>(transport, name, path, { ...options, ...(query ? { query } : {}) }, MAX_EXPORT_PAGE_SIZE);
  const files = (name: OperationName, path: string, options: ExportFilesOptions) => {
    const query = sasQuery(options.sasValidHours, MAX_EXPORT_SAS_VALID_HOURS);
    return sendJson<ExportFilesResponse>(transport, buildRequest(name, path, { ...(query ? { query } : {}), signal: options.signal }));
  };
  return {
    listSecureConfigurations: (options = {}) =>
      json("ListSecureConfigurationsAssessment", "/api/machines/SecureConfigurationsAssessmentByMachine", options),
    listSoftwareVulnerabilities: (options = {}) =>
      json("ListSoftwareVulnerabilitiesAssessment", "/api/machines/SoftwareVulnerabilitiesByMachine", options),
    listSoftwareVulnerabilityChanges: (sinceTime, options = {}) => {
      if (!(sinceTime instanceof Date) || Number.isNaN(sinceTime.getTime())) throw new TypeError("sinceTime must be a valid Date");
      if (now() - sinceTime.getTime() > MAX_DELTA_LOOK_BACK_MS) throw new TypeError("sinceTime may reach back at most 14 days");
      return json("ListSoftwareVulnerabilityChanges", "/api/machines/SoftwareVulnerabilityChangesByMachine", options, {
        sinceTime: sinceTime.toISOString(),
      });
    },
    listSoftwareInventory: (options = {}) => json("ListSoftwareInventoryAssessment", "/api/machines/SoftwareInventoryByMachine", options),
    exportSecureConfigurationsFiles: (options = {}) =>
      files("ExportSecureConfigurationsAssessmentFiles", "/api/machines/SecureConfigurationsAssessmentExport", options),
    exportSoftwareVulnerabilitiesFiles: (options = {}) =>
      files("ExportSoftwareVulnerabilitiesFiles", "/api/machines/SoftwareVulnerabilitiesExport", options),
    exportSoftwareInventoryFiles: (options = {}) => files("ExportSoftwareInventoryFiles", "/api/machines/SoftwareInventoryExport", options),
    exportSoftwareInventoryNonCpeFiles: (options = {}) =>
      files("ExportSoftwareInventoryNonCpeFiles", "/api/machines/SoftwareInventoryNonCpeExport", options),
    readFile: (url, options) => readExportFile(transport, url, options),
    readFiles: (exported, options) => readExportFiles(transport, exported, options),
  };
}
