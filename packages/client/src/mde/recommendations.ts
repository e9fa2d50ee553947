/** TVM security recommendations (mde-api.md §5.13). */
import type { MachineRef } from "./models/machine.js";
import type { Recommendation } from "./models/recommendation.js";
import type { Software } from "./models/software.js";
import type { Vulnerability } from "./models/vulnerability.js";
import type { RecommendationFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, linkedList, MAX_TOP, odataList, type RequestOptions, requireText, sendJson } from "./call.js";

/** The recommendations API of one tenant. */
export interface RecommendationsResource {
  /** `GET /api/recommendations`. */
  list(options?: ListOptions<RecommendationFilterFields>): PagedResult<Recommendation>;
  /** `GET /api/recommendations/{id}`. */
  get(id: string, options?: RequestOptions): Promise<Recommendation>;
  /** `GET /api/recommendations/{id}/software` (a single software object). */
  getSoftware(id: string, options?: RequestOptions): Promise<Software>;
  /** `GET /api/recommendations/{id}/machineReferences`. */
  listMachineReferences(id: string, options?: RequestOptions): PagedResult<MachineRef>;
  /** `GET /api/recommendations/{id}/vulnerabilities`. */
  listVulnerabilities(id: string, options?: RequestOptions): PagedResult<Vulnerability>;
}

/** Creates the recommendations resource over a transport. */
export function createRecommendationsResource(transport: MdeTransport): RecommendationsResource {
  const rec = (id: string) => {
    requireText(id, "recommendation id");
    return id;
  };
  return {
    list: (options = {}) =>
      odataList<Recommendation, RecommendationFilterFields>(transport, "ListRecommendations", "/api/recommendations", options, {
        maxTop: MAX_TOP,
      }),
    get: (id, options = {}) => sendJson(transport, buildRequest("GetRecommendation", path`/api/recommendations/${rec(id)}`, options)),
    getSoftware: (id, options = {}) =>
      sendJson(transport, buildRequest("GetRecommendationSoftware", path`/api/recommendations/${rec(id)}/software`, options)),
    listMachineReferences: (id, options = {}) =>
      linkedList(transport, "ListRecommendationMachineReferences", path`/api/recommendations/${rec(id)}/machineReferences`, options),
    listVulnerabilities: (id, options = {}) =>
      linkedList(transport, "ListRecommendationVulnerabilities", path`/api/recommendations/${rec(id)}/vulnerabilities`, options),
  };
}
