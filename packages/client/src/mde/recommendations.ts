/** TVM security recommendations (mde-api.md §5.13). */
import type { MachineRef } from "./models/machine.js";
import type { Recommendation } from "./models/recommendation.js";
import type { Software } from "./models/software.js";
import type { Vulnerability } from "./models/vulnerability.js";
import type { RecommendationFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type ListOptions, type RequestOptions, textId } from "./call.js";

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
  const set = entitySet(transport, "/api/recommendations", textId("recommendation id"));
  return {
    list: set.list<Recommendation, RecommendationFilterFields>("ListRecommendations"),
    get: set.get("GetRecommendation"),
    getSoftware: set.get("GetRecommendationSoftware", "software"),
    listMachineReferences: set.related("ListRecommendationMachineReferences", "machineReferences"),
    listVulnerabilities: set.related("ListRecommendationVulnerabilities", "vulnerabilities"),
  };
}
