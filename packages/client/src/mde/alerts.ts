/**
 * Alerts (mde-api.md §5.1; `MDE:defender-endpoint/api/get-alerts.md` and siblings).
 * Bodies are camelCase on the wire (mde-api.md §3.2).
 */
import type { Alert, AlertBatchUpdate, AlertCreateByReference, AlertDomain, AlertIp, AlertUpdate } from "./models/alert.js";
import type { FileInfo } from "./models/file.js";
import type { Machine } from "./models/machine.js";
import type { User } from "./models/user.js";
import type { AlertFilterFields } from "../odata/fields.js";
import type { PagedResult } from "../odata/paging.js";
import { machineId, path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, entitySet, type ListOptions, MAX_TOP, pick, type RequestOptions, requireText, sendJson, sendVoid } from "./call.js";

/** Options of `alerts.list`. */
export interface AlertListOptions extends ListOptions<AlertFilterFields> {
  /** `$expand=evidence` fills each alert's `evidence` (otherwise `[]`). */
  expand?: ReadonlyArray<"evidence">;
}

/** The alerts API of one tenant. */
export interface AlertsResource {
  /** `GET /api/alerts` — `await` for the first page, `for await` for every alert. */
  list(options?: AlertListOptions): PagedResult<Alert>;
  /** `GET /api/alerts/{id}` (includes evidence). */
  get(id: string, options?: RequestOptions): Promise<Alert>;
  /** `PATCH /api/alerts/{id}` → the updated alert. */
  update(id: string, update: AlertUpdate, options?: RequestOptions): Promise<Alert>;
  /** `POST /api/alerts/batchUpdate` (200 with an empty body). */
  batchUpdate(update: AlertBatchUpdate, options?: RequestOptions): Promise<void>;
  /** `POST /api/alerts/CreateAlertByReference` → the new (or merged) alert. */
  createByReference(alert: AlertCreateByReference, options?: RequestOptions): Promise<Alert>;
  /** `GET /api/alerts/{id}/domains`. */
  listDomains(id: string, options?: RequestOptions): PagedResult<AlertDomain>;
  /** `GET /api/alerts/{id}/files`. */
  listFiles(id: string, options?: RequestOptions): PagedResult<FileInfo>;
  /** `GET /api/alerts/{id}/ips`. */
  listIps(id: string, options?: RequestOptions): PagedResult<AlertIp>;
  /** `GET /api/alerts/{id}/machine` (a single machine). */
  getMachine(id: string, options?: RequestOptions): Promise<Machine>;
  /** `GET /api/alerts/{id}/user` (a single user). */
  getUser(id: string, options?: RequestOptions): Promise<User>;
}

/** Creates the alerts resource over a transport. */
export function createAlertsResource(transport: MdeTransport): AlertsResource {
  const set = entitySet(transport, "/api/alerts");
  return {
    list: set.list<Alert, AlertFilterFields>("ListAlerts", { maxTop: MAX_TOP, expand: ["evidence"] }),
    get: set.get("GetAlert"),
    update: (id, update, options = {}) =>
      sendJson(
        transport,
        buildRequest("UpdateAlert", path`/api/alerts/${id}`, { body: pick(update, ALERT_UPDATE_KEYS), signal: options.signal }),
      ),
    batchUpdate: (update, options = {}) => {
      if (!Array.isArray(update.alertIds) || update.alertIds.length === 0)
        throw new TypeError("batchUpdate needs at least one alert id in alertIds");
      return sendVoid(
        transport,
        buildRequest("BatchUpdateAlerts", "/api/alerts/batchUpdate", {
          body: pick(update, ["alertIds", ...ALERT_UPDATE_KEYS]),
          signal: options.signal,
        }),
      );
    },
    createByReference: (alert, options = {}) => {
      // Every property is required (create-alert-by-reference.md); the service answers 400 otherwise.
      for (const key of CREATE_KEYS) requireText(alert?.[key], `createByReference: ${key}`);
      machineId(alert.machineId);
      if (!/^\d+$/.test(alert.reportId)) throw new TypeError(`createByReference: reportId must be the event's ReportId (digits), got ${JSON.stringify(alert.reportId.slice(0, 40))}`);
      return sendJson(
        transport,
        buildRequest("CreateAlertByReference", "/api/alerts/CreateAlertByReference", {
          body: pick(alert, CREATE_KEYS),
          signal: options.signal,
        }),
      );
    },
    listDomains: set.related("ListAlertDomains", "domains"),
    listFiles: set.related("ListAlertFiles", "files"),
    listIps: set.related("ListAlertIps", "ips"),
    getMachine: set.get("GetAlertMachine", "machine"),
    getUser: set.get("GetAlertUser", "user"),
  };
}

const ALERT_UPDATE_KEYS = ["status", "assignedTo", "classification", "determination", "comment"] as const;
const CREATE_KEYS = ["eventTime", "reportId", "machineId", "severity", "title", "description", "recommendedAction", "category"] as const;
