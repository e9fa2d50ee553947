/** TVM remediation activities (mde-api.md §5.15). */
import type { MachineRef } from "./models/machine.js";
import type { RemediationTask } from "./models/remediation-task.js";
import type { RemediationTaskFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { guid } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type ListOptions, type RequestOptions } from "./call.js";

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
  const set = entitySet(transport, "/api/remediationTasks", (id) => guid(id, "remediation task id"));
  return {
    list: set.list<RemediationTask, RemediationTaskFilterFields>("ListRemediationTasks"),
    get: set.get("GetRemediationTask"),
    listMachineReferences: set.related("ListRemediationTaskMachineReferences", "machineReferences"),
  };
}
