/** TVM scores (mde-api.md §5.14). */
import type { MachineGroupExposureScore, Score } from "./models/score.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, linkedList, type RequestOptions, sendJson } from "./call.js";

/** The scores API of one tenant. */
export interface ScoresResource {
  /** `GET /api/exposureScore`. */
  getExposureScore(options?: RequestOptions): Promise<Score>;
  /** `GET /api/configurationScore` (device secure score). */
  getConfigurationScore(options?: RequestOptions): Promise<Score>;
  /** `GET /api/exposureScore/ByMachineGroups`. */
  listExposureScoreByMachineGroups(options?: RequestOptions): PagedResult<MachineGroupExposureScore>;
}

/** Creates the scores resource over a transport. */
export function createScoresResource(transport: MdeTransport): ScoresResource {
  return {
    getExposureScore: (options = {}) => sendJson(transport, buildRequest("GetExposureScore", "/api/exposureScore", options)),
    getConfigurationScore: (options = {}) => sendJson(transport, buildRequest("GetConfigurationScore", "/api/configurationScore", options)),
    listExposureScoreByMachineGroups: (options = {}) =>
      linkedList(transport, "ListExposureScoreByMachineGroups", "/api/exposureScore/ByMachineGroups", options),
  };
}
