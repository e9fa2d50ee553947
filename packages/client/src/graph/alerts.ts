/**
 * Microsoft Graph alerts_v2 (graph-security.md §4): list with `$filter` on the eight documented
 * properties, `$top`, `$skip`, `$count` and `@odata.nextLink` paging; get; update; add a comment.
 * Evidence comes inline, typed by `@odata.type`.
 */
import type { GraphAlert, GraphAlertUpdate, GraphCommentsResponse } from "./models/alert.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import { pick, type RequestOptions, sendJson } from "../mde/call.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildGraphRequest, type GraphListOptions, graphList, postComment } from "./call.js";
import type { GraphAlertFilterFields } from "./filter-fields.js";

/**
 * Largest `$top` sent for alerts_v2: the security API's documented constraint (security-error-codes.md,
 * written for the legacy `/security/alerts`; applicability DOC-SILENT) and the reference's checklist (§8).
 */
export const MAX_GRAPH_ALERTS_TOP = 1000;

/** Options of `graph.alerts.list`. */
export type GraphAlertListOptions = GraphListOptions<GraphAlertFilterFields>;

/** alerts_v2 of one tenant. */
export interface GraphAlertsResource {
  /**
   * `GET /security/alerts_v2` — `await` for the first page, `for await` for every alert (newest first).
   *
   * @example
   * for await (const alert of tenant.graph.alerts.list({ filter: (f) => f.eq("serviceSource", "microsoftDefenderForEndpoint") })) {}
   */
  list(options?: GraphAlertListOptions): PagedResult<GraphAlert>;
  /** `GET /security/alerts_v2/{id}`. */
  get(id: string, options?: RequestOptions): Promise<GraphAlert>;
  /** `PATCH /security/alerts_v2/{id}` with any of status, classification, determination, assignedTo → the updated alert. */
  update(id: string, update: GraphAlertUpdate, options?: RequestOptions): Promise<GraphAlert>;
  /** `POST /security/alerts_v2/{id}/comments` → every comment of the alert. */
  addComment(id: string, comment: string, options?: RequestOptions): Promise<GraphCommentsResponse>;
}

const UPDATE_KEYS = ["status", "classification", "determination", "assignedTo"] as const;

/** Creates alerts_v2 over a Graph transport. */
export function createGraphAlertsResource(transport: MdeTransport): GraphAlertsResource {
  return {
    list: (options = {}) =>
      graphList<GraphAlert, GraphAlertFilterFields>(transport, "ListAlertsV2", "/v1.0/security/alerts_v2", options, {
        maxTop: MAX_GRAPH_ALERTS_TOP,
      }),
    get: (id, options = {}) =>
      sendJson(transport, buildGraphRequest("GetAlertV2", path`/v1.0/security/alerts_v2/${id}`, { signal: options.signal })),
    update: (id, update, options = {}) => {
      const body = pick(update ?? {}, UPDATE_KEYS);
      if (Object.keys(body).length === 0) throw new TypeError("update needs at least one of status, classification, determination, assignedTo");
      return sendJson(transport, buildGraphRequest("UpdateAlertV2", path`/v1.0/security/alerts_v2/${id}`, { body, signal: options.signal }));
    },
    addComment: (id, comment, options = {}) =>
      postComment(transport, "CreateAlertV2Comment", "/v1.0/security/alerts_v2", id, comment, options),
  };
}
