/**
 * The console's JSON API as an OpenAPI 3.1 document (served at
 * `GET /api/v1/openapi.json`). Written by hand, route by route, next to a test
 * that walks the Hono app's registered /api/v1 routes and fails when one is
 * missing here or listed here but gone — so the two cannot drift apart.
 *
 * Shapes are given at their top level (the fields a client reads first);
 * objects stay open (`additionalProperties` allowed) because list items are
 * the store's records, which grow.
 */
import { ALERT_CLASSIFICATIONS, ALERT_SEVERITIES, ALERT_SORTS, ALERT_STATUSES } from "./services/alerts.js";
import { ROLES, type Role } from "./users-file.js";

type Schema = Record<string, unknown>;

const str = (description?: string, extra: Schema = {}): Schema => ({ type: "string", ...(description ? { description } : {}), ...extra });
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: "null" }] });
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const arr = (items: Schema): Schema => ({ type: "array", items });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  required: [...required],
});

const TENANT_ID = str("tenant id (GUID)", { format: "uuid" });
const MACHINE_ID = str("machine id (40 hex characters)", { pattern: "^[0-9a-fA-F]{40}$" });

const SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str("stable code, e.g. not_found, bad_request, forbidden, invalid_token, csrf"), message: str() }) }),
  Tenant: obj(
    { id: TENANT_ID, name: str(), state: str("pending_consent, consented, verified, …"), grantedRoles: arr(str()), lastSyncAt: nullable(str()), lastError: nullable(str()) },
    ["id", "name", "state"],
  ),
  TenantOverview: {
    allOf: [
      ref("Tenant"),
      obj(
        {
          missingPermissions: arr(str()),
          drift: { type: "object" },
          capabilities: { type: "object" },
          rolesKnown: bool,
          alertCounts: { type: "object" },
          alertTotal: int,
        },
        ["missingPermissions", "alertTotal"],
      ),
    ],
  },
  AlertSummary: obj(
    {
      tenantId: TENANT_ID,
      id: str(),
      title: nullable(str()),
      severity: nullable(str()),
      status: nullable(str()),
      classification: nullable(str()),
      assignedTo: nullable(str()),
      machineId: nullable(str()),
      alertCreationTime: nullable(str()),
      lastUpdateTime: nullable(str()),
    },
    ["tenantId", "id"],
  ),
  Alert: { allOf: [ref("AlertSummary"), obj({ payload: { type: "object" } })] },
  Device: obj({ tenantId: TENANT_ID, id: MACHINE_ID, computerDnsName: nullable(str()), healthStatus: nullable(str()) }, ["tenantId", "id"]),
  MachineAction: obj(
    {
      tenantId: TENANT_ID,
      id: str(),
      machineId: nullable(str()),
      type: nullable(str()),
      status: nullable(str()),
      requestor: nullable(str()),
      operator: nullable(str()),
      comment: nullable(str()),
      creationTime: nullable(str()),
      lastUpdateTime: nullable(str()),
    },
    ["tenantId", "id", "status"],
  ),
  ActionOutcome: obj(
    {
      tenantId: TENANT_ID,
      machineId: MACHINE_ID,
      action: str(),
      result: str("created, already-in-progress, succeeded, failed"),
      machineAction: { type: "object" },
      error: obj({ code: str(), message: str() }),
      auditIds: arr(str()),
    },
    ["tenantId", "machineId", "action", "result"],
  ),
  Incident: obj({ tenantId: TENANT_ID, id: str(), displayName: nullable(str()), status: nullable(str()), severity: nullable(str()) }, ["tenantId", "id"]),
  AuditEntry: obj(
    {
      id: int,
      at: str(),
      actor: str("who: an operator, `token:<name>` for an API token"),
      action: str(),
      phase: str("requested, completed, failed"),
      tenantId: nullable(str()),
      target: nullable(str()),
      comment: nullable(str()),
      request: {},
      result: nullable(str()),
      correlationId: nullable(str()),
    },
    ["id", "at", "actor", "action", "phase"],
  ),
  OverviewTenant: obj(
    {
      tenantId: TENANT_ID,
      name: str(),
      state: str("consent state: pending_consent, consented, verified, degraded, failed"),
      open: obj({ High: int, Medium: int }),
      oldestNew: nullable(obj({ id: str(), createdAt: str(), ageMs: int })),
      sync: obj({ stream: str(), lastRun: nullable({ type: "object" }), failures: int, failuresCapped: bool }),
      isolatedMachineIds: arr(MACHINE_ID),
      alerts7d: int,
      alerts30d: int,
      daily: arr({ type: "object", description: "alerts created that day by severity" }),
      links: { type: "object", description: "console paths of the lists behind the figures" },
    },
    ["tenantId", "name", "state", "open", "oldestNew", "sync", "isolatedMachineIds", "alerts7d", "alerts30d"],
  ),
  Batch: obj({ id: str(), kind: str(), status: str() }, ["id"]),
  Baseline: obj({ document: obj({ name: str(), revision: str(), updatedAt: str() }, ["name", "revision"]), counts: obj({ in_sync: int, drifted: int, failed: int }) }),
  BaselineTenantState: obj(
    { baselineName: str(), tenantId: TENANT_ID, revision: str(), state: str("in_sync, drifted or failed", { enum: ["in_sync", "drifted", "failed"] }), checkedAt: str(), difference: nullable({ type: "object" }), error: nullable(str()) },
    ["baselineName", "tenantId", "state"],
  ),
  HuntResult: obj({ rows: arr({ type: "object" }), errors: arr({ type: "object" }) }, ["rows", "errors"]),
  ApprovalRequest: obj({
    id: str(),
    action: str("tenant.offboard or machines.action"),
    tenantIds: arr(TENANT_ID),
    params: {},
    summary: str(),
    requestedBy: str(),
    requestedAt: str(),
    expiresAt: str(),
    status: str("pending, approved, rejected, expired, executed, failed", { enum: ["pending", "approved", "rejected", "expired", "executed", "failed"] }),
    decidedBy: nullable(str()),
    decidedAt: nullable(str()),
    result: {},
  }),
  MachineActionsResult: obj({
    created: int,
    failed: int,
    machines: arr(
      obj({ tenantId: TENANT_ID, machineId: MACHINE_ID, result: str(), actionId: nullable(str()), error: nullable(str()) }),
    ),
  }),
};

/** A query parameter. */
interface Query {
  readonly name: string;
  readonly description: string;
  readonly schema?: Schema;
  readonly repeatable?: boolean;
}

/** One operation of the API. */
interface Operation {
  readonly method: "get" | "post" | "patch";
  /** OpenAPI path (`{tenantId}`), under /api/v1. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly role: Role;
  readonly query?: readonly Query[];
  readonly body?: Schema;
  readonly status?: 200 | 201 | 202;
  readonly response: Schema;
  /** Other answers besides the usual errors (e.g. a 202 beside the 200). */
  readonly also?: Readonly<Record<string, { description: string; schema: Schema }>>;
}

const limit = (max: number, def: number): Query => ({ name: "limit", description: `page size, 1-${max} (default ${def})`, schema: { type: "integer", minimum: 1, maximum: max } });
const tenantFilter: Query = { name: "tenant", description: "only these tenants (ids; repeatable or comma separated)", repeatable: true };
const list = (items: Schema, paged = false) => obj(paged ? { items: arr(items), nextPageToken: nullable(str()) } : { items: arr(items) });

const OPERATIONS: readonly Operation[] = [
  { method: "get", path: "/openapi.json", summary: "This document", tag: "meta", role: "viewer", response: { type: "object" } },
  { method: "get", path: "/me", summary: "Who is asking: user (token:<name> for an API token), highest role, how they signed in, their grants (a role on a customer group, or on every tenant when group is null), CSRF token of a cookie session", tag: "meta", role: "viewer", response: obj({ user: str(), role: str(), via: str("password, one-time, sso or token", { enum: ["password", "one-time", "sso", "token"] }), grants: arr(obj({ role: str(), group: { type: ["string", "null"] } })), csrfToken: str() }) },
  {
    method: "get",
    path: "/overview",
    summary: "The SOC overview: per customer the open High/Medium alerts, the oldest alert still New, alert sync health, consent state, devices isolated now, alerts per day over 30 days, and the console path behind each figure",
    tag: "overview",
    role: "viewer",
    query: [{ name: "group", description: "only this customer group's tenants" }],
    response: obj({ at: str(), days: arr(str("first instant of a UTC day")), totals: { type: "object" }, tenants: arr(ref("OverviewTenant")) }),
  },
  { method: "get", path: "/tenants", summary: "Tenants with permission drift and alert counts", tag: "tenants", role: "viewer", response: obj({ tenants: arr(ref("TenantOverview")), requiredPermissions: arr(str()) }) },
  { method: "post", path: "/tenants", summary: "Start onboarding a customer: a consent link", tag: "tenants", role: "admin", status: 201, body: obj({ name: str(), tenant: str("tenant id or verified domain") }, ["name"]), response: obj({ consentUrl: str() }, []) },
  { method: "get", path: "/tenants/{tenantId}", summary: "One tenant with its state transitions", tag: "tenants", role: "viewer", response: { allOf: [ref("TenantOverview"), obj({ transitions: arr({ type: "object" }) })] } },
  { method: "post", path: "/tenants/{tenantId}/verify", summary: "Verify the tenant's token and granted roles now", tag: "tenants", role: "admin", response: obj({ state: str() }, ["state"]) },
  { method: "post", path: "/tenants/{tenantId}/source", summary: "Switch where the tenant's alerts come from (mde or graph)", tag: "tenants", role: "admin", body: obj({ source: str("mde or graph", { enum: ["mde", "graph"] }) }), response: obj({ tenant: ref("Tenant"), message: str() }) },
  { method: "post", path: "/tenants/{tenantId}/sync", summary: "Sync the tenant now", tag: "tenants", role: "responder", response: obj({ tenants: arr({ type: "object" }) }, ["tenants"]) },
  {
    method: "post",
    path: "/tenants/{tenantId}/offboard",
    summary: "Ask to offboard the tenant (remove it with everything synced for it): always a four-eyes request, run once another admin approves",
    tag: "approvals",
    role: "admin",
    status: 202,
    response: obj({ approval: ref("ApprovalRequest") }),
  },
  {
    method: "get",
    path: "/alerts",
    summary: "Alerts across tenants, filtered and paged",
    tag: "alerts",
    role: "viewer",
    query: [
      tenantFilter,
      { name: "severity", description: `one of ${ALERT_SEVERITIES.join(", ")}`, repeatable: true },
      { name: "status", description: `one of ${[...ALERT_STATUSES, "Unknown"].join(", ")}`, repeatable: true },
      { name: "classification", description: `one of ${[...ALERT_CLASSIFICATIONS, "Unknown"].join(", ")}`, repeatable: true },
      { name: "from", description: "earliest time (ISO or date)" },
      { name: "to", description: "latest time (ISO or date)" },
      { name: "timeField", description: "lastUpdateTime (default) or alertCreationTime" },
      { name: "q", description: "text in the title" },
      { name: "assignedTo", description: "assignee" },
      { name: "machineId", description: "alerts of one machine" },
      { name: "sort", description: `one of ${ALERT_SORTS.join(", ")} (default lastUpdateTime)` },
      { name: "order", description: "asc or desc (default desc)" },
      limit(1000, 50),
      { name: "pageToken", description: "nextPageToken of the previous page" },
    ],
    response: list(ref("AlertSummary"), true),
  },
  { method: "get", path: "/alerts/{tenantId}/{alertId}", summary: "One alert with its payload and history", tag: "alerts", role: "viewer", response: { allOf: [ref("Alert"), obj({ history: arr({ type: "object" }) })] } },
  {
    method: "patch",
    path: "/alerts/{tenantId}/{alertId}",
    summary: "Update an alert at the customer (status, assignee, classification, determination, comment)",
    tag: "alerts",
    role: "responder",
    body: obj({ status: str(), assignedTo: str(), classification: str(), determination: str(), comment: str() }, []),
    response: ref("Alert"),
  },
  {
    method: "get",
    path: "/devices",
    summary: "Machines across tenants",
    tag: "devices",
    role: "viewer",
    query: [
      { name: "tenant", description: "one tenant id" },
      { name: "q", description: "text in the DNS name" },
      { name: "health", description: "health status" },
      limit(5000, 500),
    ],
    response: list(ref("Device")),
  },
  {
    method: "post",
    path: "/devices/actions",
    summary:
      "One response action on many machines. Isolating or restricting more machines than the console's threshold becomes a four-eyes request (202) instead of running (200)",
    tag: "approvals",
    role: "responder",
    body: obj(
      {
        action: str("isolate, unisolate, restrict, unrestrict, scan, collect"),
        machines: arr(obj({ tenantId: TENANT_ID, machineId: MACHINE_ID })),
        comment: str("why (required, at most 800 characters)"),
        isolationType: str("Full or Selective (isolate)"),
      },
      ["action", "machines", "comment"],
    ),
    response: ref("MachineActionsResult"),
    also: { "202": { description: "wide: a request waits for approval", schema: obj({ approval: ref("ApprovalRequest") }) } },
  },
  { method: "get", path: "/devices/{tenantId}/{machineId}", summary: "One machine with its isolation state and actions", tag: "devices", role: "viewer", response: { allOf: [ref("Device"), obj({ isolation: {}, actions: arr(ref("MachineAction")) })] } },
  {
    method: "post",
    path: "/devices/{tenantId}/{machineId}/actions",
    summary:
      "A response action on one machine (the action's outcome). With the console's wide-action threshold at 0 an isolation or restriction becomes a four-eyes request ({approval}) instead",
    tag: "devices",
    role: "responder",
    status: 202,
    body: obj({ action: str(), comment: str(), isolationType: str(), scanType: str() }, ["action", "comment"]),
    response: { oneOf: [ref("ActionOutcome"), obj({ approval: ref("ApprovalRequest") })] },
  },
  { method: "get", path: "/actions/{tenantId}/{actionId}", summary: "A machine action's status (refreshed from the API while not final)", tag: "devices", role: "viewer", response: obj({ action: ref("MachineAction"), final: bool }) },
  {
    method: "post",
    path: "/hunting",
    summary: "Advanced hunting (KQL) across tenants",
    tag: "hunting",
    role: "viewer",
    body: obj({ query: str("KQL"), tenantIds: arr(TENANT_ID) }, ["query"]),
    response: ref("HuntResult"),
  },
  {
    method: "get",
    path: "/incidents",
    summary: "Incidents across tenants (Graph-sourced tenants)",
    tag: "incidents",
    role: "viewer",
    query: [
      tenantFilter,
      { name: "status", description: "incident status", repeatable: true },
      { name: "severity", description: "severity", repeatable: true },
      { name: "q", description: "text in the name" },
      { name: "assignedTo", description: "assignee" },
      { name: "order", description: "asc or desc" },
      limit(1000, 50),
      { name: "pageToken", description: "nextPageToken of the previous page" },
    ],
    response: list(ref("Incident"), true),
  },
  { method: "get", path: "/incidents/{tenantId}/{incidentId}", summary: "One incident with its alerts", tag: "incidents", role: "viewer", response: { allOf: [ref("Incident"), obj({ payload: { type: "object" }, alerts: arr(ref("AlertSummary")) })] } },
  {
    method: "get",
    path: "/audit",
    summary: "The audit log, newest first",
    tag: "audit",
    role: "viewer",
    query: [
      { name: "tenant", description: "one tenant id" },
      { name: "actor", description: "who" },
      { name: "action", description: "e.g. machine.isolate, approval.approve" },
      { name: "before", description: "entries older than this entry id", schema: int },
      limit(1000, 100),
    ],
    response: obj({ entries: arr(ref("AuditEntry")) }),
  },
  { method: "get", path: "/batches", summary: "Batches run by the workers (hunts, bulk actions)", tag: "batches", role: "viewer", response: list(ref("Batch")) },
  { method: "get", path: "/baselines", summary: "Fleet baselines applied so far, with your tenants' drift states counted", tag: "baselines", role: "viewer", response: list(ref("Baseline")) },
  {
    method: "get",
    path: "/baselines/{name}",
    summary: "One baseline and the drift state of each of your tenants",
    tag: "baselines",
    role: "viewer",
    response: obj({ name: str(), revision: str(), updatedAt: str(), counts: { type: "object" }, tenants: arr(ref("BaselineTenantState")) }, ["name", "revision", "tenants"]),
  },
  { method: "get", path: "/baselines/{name}/tenants/{tenantId}", summary: "One tenant's drift state against a baseline, with what differs", tag: "baselines", role: "viewer", response: ref("BaselineTenantState") },
  { method: "get", path: "/batches/{batchId}", summary: "One batch with its items", tag: "batches", role: "viewer", response: obj({ batch: ref("Batch"), items: arr({ type: "object" }) }) },
  {
    method: "get",
    path: "/approvals",
    summary: "Four-eyes requests on tenants the caller can see, newest first",
    tag: "approvals",
    role: "viewer",
    query: [{ name: "status", description: "pending, approved, rejected, expired, executed or failed" }],
    response: list(ref("ApprovalRequest")),
  },
  { method: "get", path: "/approvals/{id}", summary: "One four-eyes request", tag: "approvals", role: "viewer", response: ref("ApprovalRequest") },
  {
    method: "post",
    path: "/approvals/{id}/approve",
    summary: "Approve a request, which then runs as the approver. Not by its requester, not by an API token, not after it expired",
    tag: "approvals",
    role: "responder",
    response: ref("ApprovalRequest"),
  },
  { method: "post", path: "/approvals/{id}/reject", summary: "Reject a request (nothing runs)", tag: "approvals", role: "responder", response: ref("ApprovalRequest") },
];

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ref("Error") } } });

function operationObject(op: Operation): Schema {
  const pathParams = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: m[1] === "tenantId" ? TENANT_ID : m[1] === "machineId" ? MACHINE_ID : str(),
  }));
  const queryParams = (op.query ?? []).map((q) => ({
    name: q.name,
    in: "query",
    required: false,
    description: q.description,
    schema: q.repeatable ? arr(q.schema ?? str()) : (q.schema ?? str()),
    ...(q.repeatable ? { style: "form", explode: true } : {}),
  }));
  const parameters = [...pathParams, ...queryParams];
  const responses: Record<string, unknown> = {
    [String(op.status ?? 200)]: { description: "OK", content: { "application/json": { schema: op.response } } },
    ...Object.fromEntries(Object.entries(op.also ?? {}).map(([code, r]) => [code, { description: r.description, content: { "application/json": { schema: r.schema } } }])),
    "400": errorResponse("bad input (code bad_request)"),
    "401": errorResponse("no session or token, or the token is unknown, expired or revoked (code unauthenticated or invalid_token)"),
    "403": errorResponse(`the caller's role is below ${op.role}, or a cookie session sent no CSRF token`),
    "404": errorResponse("not found, or outside the caller's tenants"),
  };
  return {
    operationId: `${op.method}${op.path.replace(/\{([^}]+)\}/g, "By-$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? "").toUpperCase())}`,
    summary: op.summary,
    description: `Needs the ${op.role} role (on the tenants concerned).`,
    tags: [op.tag],
    "x-role": op.role,
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: op.body } } } } : {}),
    responses,
  };
}

/** The document's paths, OpenAPI style (`/api/v1/tenants/{tenantId}`), with their methods (lower case). */
export function documentedRoutes(): Array<{ method: string; path: string }> {
  return OPERATIONS.map((op) => ({ method: op.method, path: `/api/v1${op.path}` }));
}

/**
 * The OpenAPI 3.1 document of the JSON API.
 *
 * @example
 * const doc = openApiDocument();
 * Object.keys(doc.paths); // ["/api/v1/openapi.json", "/api/v1/me", …]
 */
export function openApiDocument(): { openapi: string; paths: Record<string, Record<string, unknown>> } & Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const path = `/api/v1${op.path}`;
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "MDE partner console API",
      version: "1",
      description:
        "The partner console's JSON API. Authenticate with an API token (`Authorization: Bearer mdep_…`, created by an admin under /admin/tokens " +
        "or with `mde-partner tokens create`) or a console session cookie; state changes of a cookie session also need its `x-csrf-token` header " +
        "(from GET /api/v1/me). Roles, weakest first: " +
        `${ROLES.join(", ")}; a token or operator limited to a customer group sees only that group's tenants. Errors are {"error": {"code", "message"}}.`,
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { cookie: [] }],
    tags: ["meta", "overview", "tenants", "alerts", "devices", "hunting", "incidents", "audit", "batches", "baselines", "approvals"].map((name) => ({ name })),
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "mdep_ API token", description: "An API token; it needs no CSRF token." },
        cookie: {
          type: "apiKey",
          in: "cookie",
          name: "__Host-mdep-session",
          description: "A console session (`mdep-session` on plain-HTTP loopback); state changes also need the `x-csrf-token` header.",
        },
      },
    },
  };
}
