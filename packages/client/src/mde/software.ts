/** TVM software (mde-api.md §5.11). Paths use `/api/Software` as the pages print them. */
import type { MachineRef, MissingKb } from "./models/machine.js";
import type { Software, SoftwareDistribution } from "./models/software.js";
import type { Vulnerability } from "./models/vulnerability.js";
import type { SoftwareFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, linkedList, MAX_TOP, odataList, type RequestOptions, requireText, sendJson } from "./call.js";

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
  const sw = (id: string) => {
    requireText(id, "software id");
    return id;
  };
  return {
    list: (options = {}) =>
      odataList<Software, SoftwareFilterFields>(transport, "ListSoftware", "/api/Software", options, { maxTop: MAX_TOP }),
    get: (id, options = {}) => sendJson(transport, buildRequest("GetSoftware", path`/api/Software/${sw(id)}`, options)),
    listDistributions: (id, options = {}) =>
      linkedList(transport, "ListSoftwareDistributions", path`/api/Software/${sw(id)}/distributions`, options),
    listMachineReferences: (id, options = {}) =>
      linkedList(transport, "ListSoftwareMachineReferences", path`/api/Software/${sw(id)}/machineReferences`, options),
    listVulnerabilities: (id, options = {}) =>
      linkedList(transport, "ListSoftwareVulnerabilities", path`/api/Software/${sw(id)}/vulnerabilities`, options),
    listMissingKbs: (id, options = {}) =>
      linkedList(transport, "ListSoftwareMissingKbs", path`/api/Software/${sw(id)}/getmissingkbs`, options),
  };
}
