/**
 * Machines / devices (mde-api.md §5.2; `MDE:defender-endpoint/api/get-machines.md` and siblings).
 * Tag and device-value bodies are PascalCase, PATCH is camelCase (mde-api.md §3.2).
 */
import type { Alert } from "./models/alert.js";
import type { DeviceValue, Machine, MachineInfoByIp, MachineTagAction, MachineUpdate, MissingKb } from "./models/machine.js";
import type { Recommendation } from "./models/recommendation.js";
import type { Software } from "./models/software.js";
import type { User } from "./models/user.js";
import type { Vulnerability } from "./models/vulnerability.js";
import type { AlertFilterFields, MachineFilterFields } from "../odata/fields.js";
import { DateTimeLiteral, type FilterInput, renderFilter } from "../odata/filter.js";
import type { PagedResult } from "../odata/paging.js";
import { machineId, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import {
  buildRequest,
  entitySet,
  type ListOptions,
  linkedList,
  pick,
  type RequestOptions,
  requireText,
  sendJson,
} from "./call.js";
import { ipAddress } from "./ips.js";

/** Documented maximum of machines per multi-machine tag call (add-or-remove-multiple-machine-tags.md). */
export const MAX_MACHINES_PER_TAG_CALL = 500;

/** Options of the machine-related alert reads (`$filter` is shown on these in the OData samples). */
export interface MachineAlertsOptions extends RequestOptions {
  filter?: FilterInput<AlertFilterFields>;
}

/** The machines API of one tenant. */
export interface MachinesResource {
  /** `GET /api/machines`. */
  list(options?: ListOptions<MachineFilterFields>): PagedResult<Machine>;
  /** `GET /api/machines/{id}` — `id` is the 40-hex device id or the computer name. */
  get(idOrComputerName: string, options?: RequestOptions): Promise<Machine>;
  /** `GET /api/machines/{id}/logonusers`. */
  listLogonUsers(id: string, options?: RequestOptions): PagedResult<User>;
  /** `GET /api/machines/{id}/alerts`. */
  listAlerts(id: string, options?: MachineAlertsOptions): PagedResult<Alert>;
  /** `GET /api/machines/{id}/alerts/$count` → a bare number. */
  countAlerts(id: string, options?: MachineAlertsOptions): Promise<number>;
  /** `GET /api/machines/{id}/software`. */
  listSoftware(id: string, options?: RequestOptions): PagedResult<Software>;
  /** `GET /api/machines/{id}/vulnerabilities`. */
  listVulnerabilities(id: string, options?: RequestOptions): PagedResult<Vulnerability>;
  /** `GET /api/machines/{id}/recommendations`. */
  listRecommendations(id: string, options?: RequestOptions): PagedResult<Recommendation>;
  /** `GET /api/machines/{id}/getmissingkbs`. */
  listMissingKbs(id: string, options?: RequestOptions): PagedResult<MissingKb>;
  /** `POST /api/machines/{id}/tags` with `{Value, Action: "Add"}` → the updated machine. */
  addTag(id: string, tag: string, options?: RequestOptions): Promise<Machine>;
  /** `POST /api/machines/{id}/tags` with `{Value, Action: "Remove"}` → the updated machine. */
  removeTag(id: string, tag: string, options?: RequestOptions): Promise<Machine>;
  /**
   * `POST /api/machines/AddOrRemoveTagForMultipleMachines`, split into calls of ≤ 500 machines.
   * Resolves with the machines the service reports as updated (when it reports them).
   */
  tagMany(machineIds: readonly string[], tag: string, action: MachineTagAction, options?: RequestOptions): Promise<Machine[]>;
  /** `GET /api/machines/findbyip(ip='…',timestamp=…)` — machines seen with `ip` within ±15 minutes of `timestamp`. */
  findByIp(ip: string, timestamp: Date | string, options?: RequestOptions): PagedResult<Machine>;
  /** The older `GET /api/machines/find(timestamp=…,key='…')` form (find-machine-info-by-ip.md). */
  findByIpLegacy(ip: string, timestamp: Date | string, options?: RequestOptions): PagedResult<MachineInfoByIp>;
  /** `GET /api/machines/findbytag?tag=…&useStartsWithFilter=…`. */
  findByTag(tag: string, options?: RequestOptions & { useStartsWithFilter?: boolean }): PagedResult<Machine>;
  /** `POST /api/machines/{id}/setDeviceValue` with `{DeviceValue}` → the updated machine. */
  setDeviceValue(id: string, value: DeviceValue, options?: RequestOptions): Promise<Machine>;
  /** `PATCH /api/machines/{id}` — `machineTags` REPLACES the existing tags (mde-api.md §8.13). */
  update(id: string, update: MachineUpdate, options?: RequestOptions): Promise<Machine>;
}

/** Creates the machines resource over a transport. */
export function createMachinesResource(transport: MdeTransport): MachinesResource {
  const tag = (id: string, value: string, action: MachineTagAction, options: RequestOptions) => {
    requireText(value, "tag");
    return sendJson<Machine>(
      transport,
      buildRequest("TagMachine", path`/api/machines/${machineId(id)}/tags`, {
        body: { Value: value, Action: action },
        signal: options.signal,
      }),
    );
  };
  const set = entitySet(transport, "/api/machines", machineId);
  const alertsQuery = (options: MachineAlertsOptions) =>
    options.filter !== undefined ? { $filter: renderFilter(options.filter) } : undefined;

  return {
    list: set.list<Machine, MachineFilterFields>("ListMachines"),
    get: set.get("GetMachine"),
    listLogonUsers: set.related("ListMachineLogonUsers", "logonusers"),
    listAlerts: (id, options = {}) => {
      const query = alertsQuery(options);
      return linkedList(transport, "ListMachineAlerts", path`/api/machines/${machineId(id)}/alerts`, {
        ...(query ? { query } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },
    countAlerts: async (id, options = {}) => {
      const query = alertsQuery(options);
      const count = await sendJson<unknown>(
        transport,
        buildRequest("CountMachineAlerts", path`/api/machines/${machineId(id)}/alerts/$count`, {
          ...(query ? { query } : {}),
          signal: options.signal,
        }),
      );
      if (typeof count !== "number") throw new TypeError(`CountMachineAlerts: expected a number, got ${typeof count}`);
      return count;
    },
    listSoftware: set.related("ListMachineSoftware", "software"),
    listVulnerabilities: set.related("ListMachineVulnerabilities", "vulnerabilities"),
    listRecommendations: set.related("ListMachineRecommendations", "recommendations"),
    listMissingKbs: set.related("ListMachineMissingKbs", "getmissingkbs"),
    addTag: (id, value, options = {}) => tag(id, value, "Add", options),
    removeTag: (id, value, options = {}) => tag(id, value, "Remove", options),
    tagMany: async (machineIds, value, action, options = {}) => {
      requireText(value, "tag");
      if (action !== "Add" && action !== "Remove")
        throw new TypeError(`tag action must be "Add" or "Remove", got ${JSON.stringify(action)}`);
      const ids = machineIds.map(machineId);
      const updated: Machine[] = [];
      for (let i = 0; i < ids.length; i += MAX_MACHINES_PER_TAG_CALL) {
        const body = { Value: value, Action: action, MachineIds: ids.slice(i, i + MAX_MACHINES_PER_TAG_CALL) };
        const result = await sendJson<unknown>(
          transport,
          buildRequest("TagMachines", "/api/machines/AddOrRemoveTagForMultipleMachines", { body, signal: options.signal }),
        );
        const value_ = (result as { value?: unknown } | null)?.value;
        if (Array.isArray(value_)) updated.push(...(value_ as Machine[]));
      }
      return updated;
    },
    findByIp: (ip, timestamp, options = {}) =>
      // Both parts are validated (an IP address, an ISO timestamp), so they cannot break out of the OData call syntax.
      linkedList(
        transport,
        "FindMachinesByIp",
        `/api/machines/findbyip(ip='${ipAddress(ip)}',timestamp=${isoTimestamp(timestamp)})`,
        options,
      ),
    findByIpLegacy: (ip, timestamp, options = {}) =>
      linkedList(
        transport,
        "FindMachinesByIpLegacy",
        `/api/machines/find(timestamp=${isoTimestamp(timestamp)},key='${ipAddress(ip)}')`,
        options,
      ),
    findByTag: (value, options = {}) => {
      requireText(value, "tag");
      const query: Record<string, string | boolean> = { tag: value };
      if (options.useStartsWithFilter !== undefined) query["useStartsWithFilter"] = options.useStartsWithFilter;
      return linkedList(transport, "FindMachinesByTag", "/api/machines/findbytag", {
        query,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },
    setDeviceValue: (id, value, options = {}) => {
      requireText(value, "device value");
      return sendJson(
        transport,
        buildRequest("SetDeviceValue", path`/api/machines/${machineId(id)}/setDeviceValue`, {
          body: { DeviceValue: value },
          signal: options.signal,
        }),
      );
    },
    update: (id, update, options = {}) =>
      sendJson(
        transport,
        buildRequest("UpdateMachine", path`/api/machines/${machineId(id)}`, {
          body: pick(update, ["machineTags", "deviceValue"]),
          signal: options.signal,
        }),
      ),
  };
}

/** `2019-09-22T08:44:05Z` as in the doc example; a string keeps its precision after validation. */
function isoTimestamp(value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("timestamp is an invalid Date");
    return value.toISOString().replace(".000Z", "Z");
  }
  return new DateTimeLiteral(value).iso;
}
