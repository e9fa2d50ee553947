/**
 * Microsoft Graph incidents (graph-security.md §5): list (`$filter` on the seven documented
 * properties, `$top`, `$skip`, `$count`, `$expand=alerts`, `@odata.nextLink` paging), get, update,
 * add a comment.
 */
import type { GraphCommentsResponse } from "./models/alert.js";
import type { GraphIncident, GraphIncidentUpdate } from "./models/incident.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import { pick, type RequestOptions, sendJson } from "../mde/call.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildGraphRequest, type GraphListOptions, graphList, postComment } from "./call.js";
import type { GraphIncidentFilterFields } from "./filter-fields.js";

/**
 * Largest `$top` for incidents: DOC-SILENT; the service answers 400 "The limit of '50' for Top query
 * has been exceeded" above 50 (OBSERVED, wazuh/wazuh #28070; graph-security.md §5).
 */
export const MAX_GRAPH_INCIDENTS_TOP = 50;

/** `$expand` of incidents. Large tenants answered `$expand=alerts` + `$filter` with 500s (elastic/integrations #18144), so it is opt-in. */
export interface GraphIncidentExpand {
  expand?: ReadonlyArray<"alerts">;
}

/** Options of `graph.incidents.list`. */
export type GraphIncidentListOptions = GraphListOptions<GraphIncidentFilterFields> & GraphIncidentExpand;

/** Incidents of one tenant. */
export interface GraphIncidentsResource {
  /**
   * `GET /security/incidents`.
   *
   * @example
   * const page = await tenant.graph.incidents.list({ filter: (f) => f.eq("status", "active"), expand: ["alerts"], pageSize: 50 });
   */
  list(options?: GraphIncidentListOptions): PagedResult<GraphIncident>;
  /** `GET /security/incidents/{id}` (optionally with `$expand=alerts`). */
  get(id: string, options?: RequestOptions & GraphIncidentExpand): Promise<GraphIncident>;
  /** `PATCH /security/incidents/{id}` → the updated incident. */
  update(id: string, update: GraphIncidentUpdate, options?: RequestOptions): Promise<GraphIncident>;
  /** `POST /security/incidents/{id}/comments` → the incident's comments. */
  addComment(id: string, comment: string, options?: RequestOptions): Promise<GraphCommentsResponse>;
}

const UPDATE_KEYS = [
  "assignedTo",
  "classification",
  "customTags",
  "description",
  "determination",
  "displayName",
  "severity",
  "resolvingComment",
  "status",
  "summary",
] as const;

function expandOf(options: GraphIncidentExpand): string[] | undefined {
  if (options.expand === undefined) return undefined;
  if (!Array.isArray(options.expand) || options.expand.some((e) => e !== "alerts")) throw new TypeError("expand supports only 'alerts'");
  return options.expand.length > 0 ? ["alerts"] : undefined;
}

/** Creates incidents over a Graph transport. */
export function createGraphIncidentsResource(transport: MdeTransport): GraphIncidentsResource {
  return {
    list: (options = {}) =>
      graphList<GraphIncident, GraphIncidentFilterFields>(transport, "ListIncidents", "/v1.0/security/incidents", options, {
        maxTop: MAX_GRAPH_INCIDENTS_TOP,
        expand: expandOf(options),
      }),
    get: (id, options = {}) => {
      const expand = expandOf(options);
      return sendJson(
        transport,
        buildGraphRequest("GetIncident", path`/v1.0/security/incidents/${id}`, {
          ...(expand ? { query: { $expand: expand.join(",") } } : {}),
          signal: options.signal,
        }),
      );
    },
    update: (id, update, options = {}) => {
      const body = pick(update ?? {}, UPDATE_KEYS);
      if (Object.keys(body).length === 0) throw new TypeError(`update needs at least one of ${UPDATE_KEYS.join(", ")}`);
      return sendJson(transport, buildGraphRequest("UpdateIncident", path`/v1.0/security/incidents/${id}`, { body, signal: options.signal }));
    },
    addComment: (id, comment, options = {}) =>
      postComment(transport, "CreateIncidentComment", "/v1.0/security/incidents", id, comment, options),
  };
}
