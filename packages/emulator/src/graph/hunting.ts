import { KqlError, toJsonResult } from "../hunting/kql/engine.js";
import { runHuntingQuery } from "../hunting/run-query.js";
import { graphContext, graphJson } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";
import type { GraphContext, GraphOperationSpec } from "./graph-operation.js";
import { readGraphJson } from "./graph-operation.js";
import { parseTimespan } from "./timespan.js";

/** Overall result size limit of 50 MB (graph-security.md §3.3 item 7). */
const MAX_RESULT_BYTES = 50 * 1024 * 1024;

/** A body key looked up case-insensitively: v1.0 examples send `Query`/`Timespan`, beta ones `query`/`timespan` (§3.1). */
function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/**
 * `POST /security/runHuntingQuery` (security-security-runhuntingquery.md;
 * graph-security.md §3): the same tables and KQL as the MDE endpoint, answered
 * as `huntingQueryResults` `{@odata.context, schema:[{name,type}], results}`
 * (no `Stats`, lowercase keys, rows keyed by column name as in Example 1).
 * `Timespan` narrows the 30 days; when the query filters time too, both apply,
 * so the shorter window wins. `workspaceId` is accepted and, as the page says of
 * an unknown workspace, falls back to the tenant's own data. Queries the engine
 * refuses are 400 `BadRequest` with the engine's message (observed for semantic
 * KQL errors, §3.3).
 */
async function runQuery(ctx: GraphContext): Promise<Response> {
  const body = await readGraphJson(ctx);
  const query = field(body, "Query");
  if (query === undefined || query === null) throw new GraphApiError(400, "BadRequest", "The Query parameter is required.");
  if (typeof query !== "string") throw new GraphApiError(400, "BadRequest", "The Query parameter must be a string.");
  if (query.trim() === "") throw new GraphApiError(400, "BadRequest", "The Query parameter must not be empty.");
  const timespan = field(body, "Timespan");
  const options: { from?: number; to?: number } = {};
  if (timespan !== undefined && timespan !== null) {
    const window = typeof timespan === "string" ? parseTimespan(timespan, ctx.state.clock.now()) : undefined;
    if (!window) {
      throw new GraphApiError(400, "BadRequest", `The Timespan '${String(timespan)}' is not a valid ISO 8601 interval or duration (e.g. P30D, 2024-02-01T08:00:00Z/2024-02-15T08:00:00Z).`);
    }
    options.from = window.from;
    options.to = window.to;
  }
  let result;
  try {
    result = toJsonResult(runHuntingQuery(ctx.state, ctx.tenantId, query, options));
  } catch (error) {
    if (error instanceof KqlError) throw new GraphApiError(400, "BadRequest", error.message);
    throw error;
  }
  const text = JSON.stringify({
    "@odata.context": graphContext(ctx.call, "microsoft.graph.security.huntingQueryResults"),
    schema: result.schema,
    results: result.rows,
  });
  if (Buffer.byteLength(text) > MAX_RESULT_BYTES) {
    throw new GraphApiError(400, "BadRequest", "Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again.");
  }
  return graphJson(200, text);
}

/** runHuntingQuery needs ThreatHunting.Read.All (no higher permission exists; graph-security.md §2). */
export const graphHuntingOperations: GraphOperationSpec[] = [
  { method: "POST", path: "security/runHuntingQuery", name: "RunHuntingQuery", roles: ["ThreatHunting.Read.All"], bucket: "hunting", handler: runQuery },
];
