/** TVM vulnerabilities (mde-api.md §5.12). `$top` of the org-level list is capped at 8,000. */
import type { MachineRef } from "./models/machine.js";
import type { MachineVulnerability, Vulnerability } from "./models/vulnerability.js";
import type { MachineVulnerabilityFilterFields, VulnerabilityFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { cveId } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type ListOptions, MAX_TOP, MAX_TOP_VULNERABILITIES, odataList, type RequestOptions } from "./call.js";

/** The vulnerabilities API of one tenant. */
export interface VulnerabilitiesResource {
  /** `GET /api/vulnerabilities` (`$top` ≤ 8,000). */
  list(options?: ListOptions<VulnerabilityFilterFields>): PagedResult<Vulnerability>;
  /** `GET /api/vulnerabilities/{cveId}`. */
  get(cve: string, options?: RequestOptions): Promise<Vulnerability>;
  /** `GET /api/vulnerabilities/{cveId}/machineReferences`. */
  listMachineReferences(cve: string, options?: RequestOptions): PagedResult<MachineRef>;
  /** `GET /api/vulnerabilities/machinesVulnerabilities` — one row per machine × CVE × product. */
  listMachinesVulnerabilities(options?: ListOptions<MachineVulnerabilityFilterFields>): PagedResult<MachineVulnerability>;
}

/** Creates the vulnerabilities resource over a transport. */
export function createVulnerabilitiesResource(transport: MdeTransport): VulnerabilitiesResource {
  const set = entitySet(transport, "/api/vulnerabilities", cveId);
  return {
    list: set.list<Vulnerability, VulnerabilityFilterFields>("ListVulnerabilities", { maxTop: MAX_TOP_VULNERABILITIES }),
    get: set.get("GetVulnerability"),
    listMachineReferences: set.related("ListVulnerabilityMachineReferences", "machineReferences"),
    listMachinesVulnerabilities: (options = {}) =>
      odataList<MachineVulnerability, MachineVulnerabilityFilterFields>(
        transport,
        "ListMachinesVulnerabilities",
        "/api/vulnerabilities/machinesVulnerabilities",
        options,
        { maxTop: MAX_TOP },
      ),
  };
}
