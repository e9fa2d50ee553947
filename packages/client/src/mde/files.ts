/** Files (mde-api.md §5.7). `get`/`getStats` take SHA-1 or SHA-256; related alerts/machines take SHA-1 only. */
import type { Alert } from "./models/alert.js";
import type { FileInfo } from "./models/file.js";
import type { Machine } from "./models/machine.js";
import type { FileStats } from "./models/stats.js";
import type { PagedResult } from "../odata/paging.js";
import { fileHash, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, entitySet, type RequestOptions, sendJson } from "./call.js";
import { type StatsOptions, statsQuery } from "./stats-options.js";

/** The files API of one tenant. */
export interface FilesResource {
  /** `GET /api/files/{sha1|sha256}`. */
  get(hash: string, options?: RequestOptions): Promise<FileInfo>;
  /** `GET /api/files/{sha1}/alerts` (unknown file → empty list). */
  listAlerts(sha1: string, options?: RequestOptions): PagedResult<Alert>;
  /** `GET /api/files/{sha1}/machines` (unknown file → empty list). */
  listMachines(sha1: string, options?: RequestOptions): PagedResult<Machine>;
  /** `GET /api/files/{hash}/stats?lookBackHours=n`. */
  getStats(hash: string, options?: StatsOptions): Promise<FileStats>;
}

/** Creates the files resource over a transport. */
export function createFilesResource(transport: MdeTransport): FilesResource {
  const bySha1 = entitySet(transport, "/api/files", (sha1) => fileHash(sha1, ["sha1"]));
  return {
    get: entitySet(transport, "/api/files", fileHash).get("GetFile"),
    listAlerts: bySha1.related("ListFileAlerts", "alerts"),
    listMachines: bySha1.related("ListFileMachines", "machines"),
    getStats: (hash, options = {}) => {
      const query = statsQuery(options);
      return sendJson(
        transport,
        buildRequest("GetFileStats", path`/api/files/${fileHash(hash)}/stats`, { ...(query ? { query } : {}), signal: options.signal }),
      );
    },
  };
}
