/** TVM remediation activities (mde-api.md §5.15). */
import type { MachineRef } from "./models/machine.js";
import type { RemediationTask } from "./models/remediation-task.js";
import type { RemediationTaskFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { guid, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, type ListOptions, linkedList, MAX_TOP, odataList, type RequestOptions, sendJson } from "./call.js";

/** The remediation tasks API of one tenant. */
export interface RemediationTasksResource {
  /** `GET /api/remediationTasks`. */
  list(options?: ListOptions<RemediationTaskFilterFields>): PagedResult<RemediationTask>;
  /** `GET /api/remediationTasks/{id}` (GUID). */
  get(id: string, options?: RequestOptions): Promise<RemediationTask>;
  /** `GET /api/remediationTasks/{id}/machineReferences` (exposed devices). */
  listMachineReferences(id: string, options?: RequestOptions): PagedResult<MachineRef>;
}

/** Creates the remediation tasks resource over a transport. */
export function createRemediationTasksResource(transport: MdeTransport): RemediationTasksResource {
  const task = (id: string) => guid(id, "remediation task id");
  return {
    list: (options = {}) =>
      odataList<RemediationTask, RemediationTaskFilterFields>(transport, "ListRemediationTasks", "/api/remediationTasks", options, {
        maxTop: MAX_TOP,
      }),
    get: (id, options = {}) => sendJson(transport, buildRequest("GetRemediationTask", path`/api/remediationTasks/${task(id)}`, options)),
    listMachineReferences: (id, options = {}) =>
      linkedList(transport, "ListRemediationTaskMachineReferences", path`/api/remediationTasks/${task(id)}/machineReferences`, options),
  };
}
