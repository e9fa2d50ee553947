/** Users (mde-api.md §5.10). The id is the user name only — not the UPN, not `domain\user`. */
import type { Alert } from "./models/alert.js";
import type { Machine } from "./models/machine.js";
import type { PagedResult } from "../odata/paging.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { entitySet, type RequestOptions, requireText } from "./call.js";

/**
 * Returns `name` when it is an account name; `domain\user` and UPNs are refused with a `TypeError`
 * (the users API takes "the user name only, not the full UPN", get-user-related-alerts.md).
 */
export function userName(name: string): string {
  requireText(name, "user name");
  if (name.includes("\\")) throw new TypeError(`user name ${JSON.stringify(name.slice(0, 80))}: pass the account name without its domain (user1, not contoso\\user1)`);
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(name)) throw new TypeError(`user name ${JSON.stringify(name.slice(0, 80))}: pass the account name, not the UPN`);
  return name;
}

/** The users API of one tenant. */
export interface UsersResource {
  /** `GET /api/users/{userName}/alerts` (unknown user → empty list). */
  listAlerts(userName: string, options?: RequestOptions): PagedResult<Alert>;
  /** `GET /api/users/{userName}/machines` (only Machine.ReadWrite.All is documented). */
  listMachines(userName: string, options?: RequestOptions): PagedResult<Machine>;
}

/** Creates the users resource over a transport. */
export function createUsersResource(transport: MdeTransport): UsersResource {
  const set = entitySet(transport, "/api/users", userName);
  return {
    listAlerts: set.related("ListUserAlerts", "alerts"),
    listMachines: set.related("ListUserMachines", "machines"),
  };
}
