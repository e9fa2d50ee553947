/** TVM software (mde-api.md §5.11). Paths use `/api/Software` as the pages print them. */
import type { MachineRef, MissingKb } from "./models/machine.js";
import type { Software, SoftwareDistribution } from "./models/software.js";
import type { Vulnerability } from "./models/vulnerability.js";
import type { SoftwareFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type ListOptions, type RequestOptions, textId } from "./call.js";

/** The software API of one tenant. */
export interface SoftwareResource {
  /** `GET /api/Software`. */
  list(options?: ListOptions<SoftwareFilterFields>): PagedResult<Software>;
  /** `GET /api/Software/{id}` (`vendor-_-product`). */
  get(id: string, options?: RequestOptions): Promise<Software>;
  /** `GET /api/Software/{id}/distributions`. */
  listDistributions(id: string, options?: RequestOptions): PagedResult<SoftwareDistribution>;
  /** `GET /api/Software/{id}/machineReferences`. */
  listMachineReferences(id: string, options?: RequestOptions): PagedResult<MachineRef>;
  /** `GET /api/Software/{id}/vulnerabilities`. */
  listVulnerabilities(id: string, options?: RequestOptions): PagedResult<Vulnerability>;
  /** `GET /api/Software/{id}/getmissingkbs`. */
  listMissingKbs(id: string, options?: RequestOptions): PagedResult<MissingKb>;
}

/** Creates the software resource over a transport. */
export function createSoftwareResource(transport: MdeTransport): SoftwareResource {
  const set = entitySet(transport, "/api/Software", textId("software id"));
  return {
    list: set.list<Software, SoftwareFilterFields>("ListSoftware"),
    get: set.get("GetSoftware"),
    listDistributions: set.related("ListSoftwareDistributions", "distributions"),
    listMachineReferences: set.related("ListSoftwareMachineReferences", "machineReferences"),
    listVulnerabilities: set.related("ListSoftwareVulnerabilities", "vulnerabilities"),
    listMissingKbs: set.related("ListSoftwareMissingKbs", "getmissingkbs"),
  };
}
