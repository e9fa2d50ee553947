import type { VerifiedToken } from "../core/access-token.js";
import type { AppContext } from "../core/http.js";
import { type JsonBodyProblem, parseJsonObject } from "../core/json-body.js";
import type { EmulatorState } from "../core/state.js";
import type { GraphBucket } from "./authorize.js";
import { DEFAULT_MAX_QUERY_LENGTH, DEFAULT_RULES_PER_TENANT } from "./detection-rule-model.js";
import type { GraphCall } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";

/** Page sizes and caps of the Graph lists; DOC-SILENT values are options. */
export interface GraphRouteOptions {
  /** alerts_v2 page size without `$top` (DOC-SILENT; default 100). */
  alertsPageSize?: number;
  /** Largest alerts_v2 `$top` (security-error-codes.md "Constraints": 1,000; applicability DOC-SILENT). */
  alertsMaxTop?: number;
  /** Incidents page size without `$top` (observed `$skip=50` next links; default 50). */
  incidentsPageSize?: number;
  /** Largest incidents `$top` (observed 400 above 50, graph-security.md §5). */
  incidentsMaxTop?: number;
  /** Custom detection rules per tenant (DOC-SILENT; default 1,000, detection-rule-model.ts). */
  detectionRulesPerTenant?: number;
  /** Longest `queryCondition.queryText` (DOC-SILENT; default 30,000 characters). */
  detectionRuleMaxQueryLength?: number;
}

/** Each list's paging (the page size without `$top` and the largest `$top`), and the detection rule limits. */
export type ResolvedGraphOptions = Readonly<Record<"alerts_v2" | "incidents" | "detectionRules", Readonly<{ defaultPageSize: number; maxTop: number }>>> & {
  readonly ruleLimits: Readonly<{ perTenant: number; maxQueryLength: number }>;
};

export function resolveGraphOptions(options: GraphRouteOptions = {}): ResolvedGraphOptions {
  return Object.freeze({
    alerts_v2: Object.freeze({ defaultPageSize: options.alertsPageSize ?? 100, maxTop: options.alertsMaxTop ?? 1000 }),
    incidents: Object.freeze({ defaultPageSize: options.incidentsPageSize ?? 50, maxTop: options.incidentsMaxTop ?? 50 }),
    // DOC-SILENT for detection rules: Graph's common paging ($top ≤ 1000; detection-rules.md §2).
    detectionRules: Object.freeze({ defaultPageSize: 100, maxTop: 1000 }),
    ruleLimits: Object.freeze({
      perTenant: options.detectionRulesPerTenant ?? DEFAULT_RULES_PER_TENANT,
      maxQueryLength: options.detectionRuleMaxQueryLength ?? DEFAULT_MAX_QUERY_LENGTH,
    }),
  });
}

/** What a Graph handler gets after authorization. */
export interface GraphContext {
  state: EmulatorState;
  c: AppContext;
  call: GraphCall;
  token: VerifiedToken;
  tenantId: string;
  params: Readonly<Record<string, string>>;
  url: URL;
  /** `Prefer: include-unknown-enum-members` was sent. */
  includeUnknownEnums: boolean;
  /** The tenant is a hostile one (data/hostile.ts): its portal links are `javascript:` URLs. */
  hostile: boolean;
  options: ResolvedGraphOptions;
}

/**
 * One Graph operation: method, path under `/{version}/` (literal segments match
 * case-insensitively; the docs themselves write `alerts_V2`), permission, budget.
 * Without a handler the operation answers 501 naming itself.
 */
export interface GraphOperationSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  name: string;
  roles: readonly string[];
  bucket: GraphBucket;
  handler?: (ctx: GraphContext) => Response | Promise<Response>;
}

const BODY_PROBLEMS: Readonly<Record<JsonBodyProblem, string>> = {
  empty: "Empty Payload. JSON content expected.",
  syntax: "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
  shape: "Invalid request body: expected a JSON object.",
};

/** Reads a JSON object body or fails with Graph's 400. */
export async function readGraphJson(ctx: GraphContext): Promise<Record<string, unknown>> {
  const body = parseJsonObject(await ctx.c.req.text());
  if (typeof body === "string") throw new GraphApiError(400, "BadRequest", BODY_PROBLEMS[body]);
  return body;
}

/** OData's message for a property the entity type does not have. */
export const unknownProperty = (name: string, type: string) =>
  new GraphApiError(400, "BadRequest", `The property '${name}' does not exist on type 'microsoft.graph.security.${type}'. Make sure to only use property names that are defined by the type.`);
