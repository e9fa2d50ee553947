/**
 * Every Microsoft Graph security operation the client can call (graph-security.md §3–§5): method,
 * documented path (below the cloud's Graph root), application permissions of which any one allows
 * the call (§2, least privileged first), whether a blind repeat is safe, and the rate budget.
 *
 * Budgets (graph-security.md §3.3, §6), all per app + tenant unless named otherwise:
 * - `graph-hunting`: runHuntingQuery, "at least 45 calls per minute per tenant". The legacy hourly
 *   limits are deliberately not carried over (the reference says not to).
 * - `graph-alerts`, `graph-incidents`: 150 requests per minute per app per tenant, the security
 *   service's documented limit for `alert` operations. Whether it applies to alerts_v2 and incidents
 *   is DOC-SILENT: it is the default, and `rateBudgets` overrides it.
 * - `graph-global`: 2,000 requests per second per app across all tenants — one bucket for the app,
 *   counted by every Graph call of every tenant.
 */
import type { BudgetLimits } from "../mde/operations.js";
import type { HttpMethod } from "../pipeline/transport.js";

/** Microsoft Graph's documented rate budgets (graph-security.md §3.3, §6). */
export const GRAPH_BUDGETS = Object.freeze({
  "graph-hunting": { perMinute: 45 },
  "graph-alerts": { perMinute: 150 },
  "graph-incidents": { perMinute: 150 },
  "graph-global": { perSecond: 2000 },
  // DOC-SILENT: the detection-rules pages name no limit; the security API's 150/min is the default.
  "graph-detection-rules": { perMinute: 150 },
} satisfies Record<string, BudgetLimits>);

/** Name of a Graph rate budget. */
export type GraphBudgetName = keyof typeof GRAPH_BUDGETS;

/** The budget every Graph call of every tenant also counts against (its scope is the app). */
export const GRAPH_GLOBAL_BUDGET: GraphBudgetName = "graph-global";

/** Metadata of one Graph operation. */
export interface GraphOperationSpec {
  readonly resource: "graph";
  readonly method: HttpMethod;
  /** Documented path below the Graph root, e.g. `/v1.0/security/alerts_v2/{alertId}`. */
  readonly path: string;
  /** Microsoft Graph application permissions of which any one allows the call. */
  readonly permissions: readonly string[];
  readonly idempotent: boolean;
  readonly budget: GraphBudgetName;
  readonly limits: BudgetLimits;
  /** Source page (`microsoftgraph/microsoft-graph-docs-contrib`, `api-reference/v1.0/api/…`). */
  readonly doc: string;
}

const ALERT_R = ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"] as const;
const ALERT_W = ["SecurityAlert.ReadWrite.All"] as const;
const INCIDENT_R = ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"] as const;
const INCIDENT_W = ["SecurityIncident.ReadWrite.All"] as const;
// The list/get pages also accept CustomDetection.Read.All; its app-role id is in none of our references, so the
// catalogue (and with it the planner) names only the ReadWrite permission the baselines need anyway.
const RULE_R = ["CustomDetection.ReadWrite.All"] as const;
const RULE_W = ["CustomDetection.ReadWrite.All"] as const;

function op(
  method: HttpMethod,
  path: string,
  permissions: readonly string[],
  budget: GraphBudgetName,
  doc: string,
  idempotent = method !== "POST",
): GraphOperationSpec {
  return Object.freeze({
    resource: "graph" as const,
    method,
    path,
    permissions: Object.freeze([...permissions]),
    idempotent,
    budget,
    limits: GRAPH_BUDGETS[budget],
    doc,
  });
}

/** Every Graph operation of the client, by stable name. */
export const GRAPH_OPERATIONS = Object.freeze({
  // §3 runHuntingQuery: read-only, so safe to repeat.
  RunHuntingQuery: op(
    "POST",
    "/v1.0/security/runHuntingQuery",
    ["ThreatHunting.Read.All"],
    "graph-hunting",
    "security-security-runhuntingquery.md",
    true,
  ),
  // §4 alerts_v2
  ListAlertsV2: op("GET", "/v1.0/security/alerts_v2", ALERT_R, "graph-alerts", "security-list-alerts_v2.md"),
  GetAlertV2: op("GET", "/v1.0/security/alerts_v2/{alertId}", ALERT_R, "graph-alerts", "security-alert-get.md"),
  UpdateAlertV2: op("PATCH", "/v1.0/security/alerts_v2/{alertId}", ALERT_W, "graph-alerts", "security-alert-update.md"),
  CreateAlertV2Comment: op(
    "POST",
    "/v1.0/security/alerts_v2/{alertId}/comments",
    ALERT_W,
    "graph-alerts",
    "security-alert-post-comments.md",
  ),
  // §5 incidents
  ListIncidents: op("GET", "/v1.0/security/incidents", INCIDENT_R, "graph-incidents", "security-list-incidents.md"),
  GetIncident: op("GET", "/v1.0/security/incidents/{incidentId}", INCIDENT_R, "graph-incidents", "security-incident-get.md"),
  UpdateIncident: op("PATCH", "/v1.0/security/incidents/{incidentId}", INCIDENT_W, "graph-incidents", "security-incident-update.md"),
  CreateIncidentComment: op(
    "POST",
    "/v1.0/security/incidents/{incidentId}/comments",
    INCIDENT_W,
    "graph-incidents",
    "security-incident.md",
  ),
  // Custom detection rules (v1.0; platform-2026-12.md). Create is documented for the Global service only.
  ListDetectionRules: op("GET", "/v1.0/security/rules/detectionRules", RULE_R, "graph-detection-rules", "security-detectionrule-list.md"),
  GetDetectionRule: op("GET", "/v1.0/security/rules/detectionRules/{id}", RULE_R, "graph-detection-rules", "security-detectionrule-get.md"),
  CreateDetectionRule: op("POST", "/v1.0/security/rules/detectionRules", RULE_W, "graph-detection-rules", "security-detectionrule-post-detectionrules.md"),
  UpdateDetectionRule: op("PATCH", "/v1.0/security/rules/detectionRules/{id}", RULE_W, "graph-detection-rules", "security-detectionrule-update.md"),
  DeleteDetectionRule: op("DELETE", "/v1.0/security/rules/detectionRules/{id}", RULE_W, "graph-detection-rules", "security-detectionrule-delete.md"),
} satisfies Record<string, GraphOperationSpec>);

/** Name of a Graph operation. */
export type GraphOperationName = keyof typeof GRAPH_OPERATIONS;

/** Looks a Graph operation up; throws `TypeError` for an unknown name. */
export function getGraphOperation(name: string): GraphOperationSpec {
  const spec = (GRAPH_OPERATIONS as Record<string, GraphOperationSpec>)[name];
  if (!spec) throw new TypeError(`unknown Microsoft Graph operation ${JSON.stringify(name)}`);
  return spec;
}
