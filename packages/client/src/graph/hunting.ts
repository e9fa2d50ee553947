/**
 * Microsoft Graph advanced hunting: `POST /v1.0/security/runHuntingQuery` (graph-security.md §3),
 * the successor of the legacy MDE `POST /api/advancedqueries/run`, which stops returning data on
 * 2027-02-01 (§1). Permission `ThreatHunting.Read.All`; limits: ≥45 calls/min per tenant, 100,000
 * rows, 50 MB, 3 minutes per query, the last 30 days by default (§3.3). No paging: the whole result
 * arrives in one answer.
 */
import { MdeInvalidResponseError } from "../errors.js";
import type { GraphHuntingColumn, GraphHuntingResult, GraphHuntingRow } from "./models/hunting.js";
import { type RequestOptions, requireText, sendJson } from "../mde/call.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildGraphRequest } from "./call.js";
import { type HuntingTimespanParts, huntingTimespan } from "./timespan.js";

/** The service's own limit on one query (3 minutes, §3.3) plus a margin for the answer to arrive. */
const HUNTING_SERVICE_LIMIT_MS = 190_000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options of `graph.hunting.run`. */
export interface GraphHuntingOptions extends RequestOptions {
  /** `Timespan`: an ISO-8601 duration or interval (`P7D`, `start/end`), or its parts. Default (service): 30 days back. */
  timespan?: string | HuntingTimespanParts;
  /** `workspaceId`: a Log Analytics workspace; an unknown one silently falls back to the primary (§3.1). */
  workspaceId?: string;
}

/** Graph advanced hunting of one tenant. */
export interface GraphHuntingResource {
  /**
   * Runs a KQL query. Values belong in the query only through a KQL quoting helper.
   *
   * @example
   * const { schema, results } = await tenant.graph.hunting.run("DeviceInfo | take 10", { timespan: "P7D" });
   */
  run<Row = GraphHuntingRow>(query: string, options?: GraphHuntingOptions): Promise<GraphHuntingResult<Row>>;
}

/**
 * A row's value for a column, looked up exactly and then case-insensitively: Graph's own examples
 * send rows keyed `Timestamp` in one place and `timestamp` in another (graph-security.md §3.2).
 */
export function huntingValue(row: Readonly<Record<string, unknown>>, column: string | GraphHuntingColumn): unknown {
  const name = typeof column === "string" ? column : column.name;
  if (Object.hasOwn(row, name)) return row[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(row)) if (key.toLowerCase() === lower) return row[key];
  return undefined;
}

/** Adds a non-enumerable alias `to` → `from` when only `from` was sent (keeps the wire object as sent). */
function alias(target: Record<string, unknown>, to: string, from: string): void {
  if (!Object.hasOwn(target, to) && Object.hasOwn(target, from)) {
    Object.defineProperty(target, to, { get: () => target[from], enumerable: false });
  }
}

/** Creates Graph hunting over a Graph transport. */
export function createGraphHuntingResource(transport: MdeTransport): GraphHuntingResource {
  return {
    async run<Row = GraphHuntingRow>(query: string, options: GraphHuntingOptions = {}) {
      requireText(query, "query");
      // v1.0 examples send PascalCase `Query`/`Timespan` and camelCase `workspaceId` (§3.1).
      const body: Record<string, string> = { Query: query };
      if (options.timespan !== undefined) body["Timespan"] = huntingTimespan(options.timespan);
      if (options.workspaceId !== undefined) {
        if (typeof options.workspaceId !== "string" || !GUID.test(options.workspaceId)) throw new TypeError("workspaceId must be a GUID");
        body["workspaceId"] = options.workspaceId;
      }
      const request = buildGraphRequest("RunHuntingQuery", "/v1.0/security/runHuntingQuery", { body, signal: options.signal });
      // The service itself gives a query up to 3 minutes before failing it (§3.3); don't cut it off sooner.
      request.minTimeoutMs = HUNTING_SERVICE_LIMIT_MS;
      const result = await sendJson<Record<string, unknown> | null>(transport, request);
      if (result === null || typeof result !== "object" || Array.isArray(result)) throw invalid(transport);
      // Tolerate the PascalCase spellings of older revisions (§3.2) without changing what was sent.
      alias(result, "schema", "Schema");
      alias(result, "results", "Results");
      if (!Array.isArray(result["schema"]) || !Array.isArray(result["results"])) throw invalid(transport);
      for (const column of result["schema"] as unknown[]) {
        if (column === null || typeof column !== "object") throw invalid(transport);
        alias(column as Record<string, unknown>, "name", "Name");
        alias(column as Record<string, unknown>, "type", "Type");
      }
      return result as unknown as GraphHuntingResult<Row>;
    },
  };
}

function invalid(transport: MdeTransport): MdeInvalidResponseError {
  return new MdeInvalidResponseError("RunHuntingQuery: expected huntingQueryResults {schema: [...], results: [...]}", {
    tenantId: transport.tenantId,
    operation: "RunHuntingQuery",
  });
}
