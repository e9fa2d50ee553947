/**
 * Device antivirus health (mde-api.md §5.16; device-health-export-antivirus-health-report-api.md).
 * The JSON API pages by `@odata.nextLink` (default page 20 rows) and also takes `$top` ≤ 10,000 / `$skip`.
 * Release notes name `/api/public/avdeviceshealth`; the method page documents `/api/deviceavinfo` (DOC-CONFLICT) — the latter is used.
 */
import type { DeviceAvInfo } from "./models/device-av-info.js";
import type { ExportFilesResponse } from "./models/export.js";
import type { DeviceAvInfoFilterFields } from "../odata/fields.js";
import type { ODataQueryOptions } from "../odata/query.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, MAX_TOP, odataList, type RequestOptions, sendJson } from "./call.js";
import { sasQuery } from "./exports.js";

/** Documented maximum of `sasValidHours` for the AV health file export. */
export const MAX_AV_HEALTH_SAS_VALID_HOURS = 24;

/** The device AV health API of one tenant. */
export interface DeviceAvHealthResource {
  /** `GET /api/deviceavinfo` (30 calls/min). `top` caps the total and is sent as `$top`. */
  list(options?: Omit<ODataQueryOptions<DeviceAvInfoFilterFields>, "select" | "orderby"> & RequestOptions): PagedResult<DeviceAvInfo>;
  /** `GET /api/machines/InfoGatheringExport?sasValidHours=n` → SAS URLs of gzip'd JSON files (prerelease). */
  exportFiles(options?: RequestOptions & { sasValidHours?: number }): Promise<ExportFilesResponse>;
}

/** Creates the device AV health resource over a transport. */
export function createDeviceAvHealthResource(transport: MdeTransport): DeviceAvHealthResource {
  return {
    list: (options = {}) =>
      odataList<DeviceAvInfo, DeviceAvInfoFilterFields>(transport, "ListDeviceAvInfo", "/api/deviceavinfo", options, {
        maxTop: MAX_TOP,
        mode: "next-link",
      }),
    exportFiles: (options = {}) => {
      const query = sasQuery(options.sasValidHours, MAX_AV_HEALTH_SAS_VALID_HOURS);
      return sendJson(
        transport,
        buildRequest("ExportDeviceAvInfoFiles", "/api/machines/InfoGatheringExport", {
          ...(query ? { query } : {}),
          signal: options.signal,
        }),
      );
    },
  };
}
