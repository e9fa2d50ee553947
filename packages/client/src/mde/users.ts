/** Users (mde-api.md §5.10). The id is the user name only — not the UPN, not `domain\user`. */
import type { Alert } from "./models/alert.js";
import type { Machine } from "./models/machine.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type RequestOptions, textId } from "./call.js";

/** The users API of one tenant. */
export interface UsersResource {
  /** `GET /api/users/{userName}/alerts` (unknown user → empty list). */
  listAlerts(userName: string, options?: RequestOptions): PagedResult<Alert>;
  /** `GET /api/users/{userName}/machines` (only Machine.ReadWrite.All is documented). */
  listMachines(userName: string, options?: RequestOptions): PagedResult<Machine>;
}

/** Creates the users resource over a transport. */
export function createUsersResource(transport: MdeTransport): UsersResource {
  const set = entitySet(transport, "/api/users", textId("user name"));
  return {
    listAlerts: set.related("ListUserAlerts", "alerts"),
    listMachines: set.related("ListUserMachines", "machines"),
  };
}
