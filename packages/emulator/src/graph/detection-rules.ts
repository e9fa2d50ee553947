import { randomUUID } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import { checkRule, newRule, patchedRule, readRuleInput, type DetectionRuleRecord } from "./detection-rule-model.js";
import { countRules, DETECTION_RULE_FIELDS, DETECTION_RULE_ORDER, deleteRule, getRule, nextRuleId, queryRules, saveRule } from "./detection-rule-store.js";
import { graphContext, graphJson } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";
import { type GraphContext, type GraphOperationSpec, readGraphJson } from "./graph-operation.js";
import { collectionBody, cutPage, parseGraphListQuery } from "./odata.js";

/**
 * Custom detection rules, `/security/rules/detectionRules` (Graph v1.0 and beta;
 * security-detectionrule v1.0 and its list/get/create/update/delete pages, Learn 2026).
 *
 * Permissions (the pages' tables): list and get take CustomDetection.Read.All or
 * CustomDetection.ReadWrite.All; create, update and delete take
 * CustomDetection.ReadWrite.All only.
 *
 * Global only: the create page's national-cloud table marks create as available
 * in the Global service only (not US Government L4/L5, not 21Vianet; also
 * detection-rules.md §2). The emulator serves one custom cloud and treats it
 * as Global; a client that targets GCC High or DoD must expect no rule creation
 * there and cannot test that here.
 *
 * Budget: DOC-SILENT for rules; they share the `/security` bucket (150 requests
 * per minute per app per tenant, authorize.ts) with alerts and incidents.
 */
const READ = ["CustomDetection.Read.All", "CustomDetection.ReadWrite.All"] as const;
const WRITE = ["CustomDetection.ReadWrite.All"] as const;

const ENTITY = "#microsoft.graph.security.detectionRule";

function ruleView(rule: DetectionRuleRecord): Record<string, unknown> {
  return { "@odata.type": ENTITY, ...rule };
}

function entityBody(ctx: GraphContext, rule: DetectionRuleRecord): Record<string, unknown> {
  return { "@odata.context": graphContext(ctx.call, "security/rules/detectionRules/$entity"), ...ruleView(rule) };
}

/** Who a change is recorded as: the app's display name, as `createdBy` names "the user or application". */
function actor(ctx: GraphContext): string {
  return ctx.state.apps.get(ctx.token.clientId)?.displayName ?? ctx.token.clientId;
}

function loadRule(ctx: GraphContext): DetectionRuleRecord {
  const id = ctx.params.id ?? "";
  const rule = getRule(ctx.state.db, ctx.tenantId, id);
  // DOC-SILENT: the pages document only success; Graph's usual 404 code.
  if (!rule) throw new GraphApiError(404, "NotFound", `Detection rule with id '${id}' was not found.`);
  return rule;
}

/** `GET /security/rules/detectionRules`: `$filter` on the documented properties, `$orderby=createdDateTime`, `$top`, `$skip`, `$count`. */
function listRules(ctx: GraphContext): Response {
  const query = parseGraphListQuery(ctx.url, { entity: "detectionRules", fields: DETECTION_RULE_FIELDS, orderBy: DETECTION_RULE_ORDER, ...ctx.options.detectionRules });
  const rows = queryRules(ctx.state.db, ctx.tenantId, query.filter, query.pageSize + 1, query.skip, query.orderBy);
  const hasMore = cutPage(rows, query.pageSize);
  const total = query.count ? countRules(ctx.state.db, ctx.tenantId, query.filter) : undefined;
  const items = rows.map((json) => JSON.stringify(ruleView(JSON.parse(json) as DetectionRuleRecord)));
  return graphJson(200, collectionBody(ctx.call, ctx.url, graphContext(ctx.call, "security/rules/detectionRules"), query, items, total, hasMore));
}

function getOne(ctx: GraphContext): Response {
  return graphJson(200, entityBody(ctx, loadRule(ctx)));
}

/**
 * The refusal when a tenant is full. DOC-SILENT (no documented count or error):
 * Graph's 400 `BadRequest` naming the limit.
 */
function tenantFull(limit: number): GraphApiError {
  return new GraphApiError(400, "BadRequest", `The tenant already has the maximum of ${limit} custom detection rules.`);
}

/** `POST /security/rules/detectionRules` → 201 with the rule (create page; metadata in the body is ignored). */
async function createRule(ctx: GraphContext): Promise<Response> {
  const input = readRuleInput(await readGraphJson(ctx));
  const { db } = ctx.state;
  const now = toMdeTime(ctx.state.clock.now());
  const rule = db.transaction(() => {
    if (countRules(db, ctx.tenantId) >= ctx.options.ruleLimits.perTenant) throw tenantFull(ctx.options.ruleLimits.perTenant);
    const draft = newRule(input, { id: "0", detectorId: randomUUID(), by: actor(ctx), now });
    checkRule(draft, ctx.options.ruleLimits);
    draft.id = nextRuleId(db, ctx.tenantId);
    saveRule(db, ctx.tenantId, draft);
    return draft;
  })();
  return graphJson(201, entityBody(ctx, rule));
}

/** `PATCH /security/rules/detectionRules/{id}` → 200 with the updated rule. */
async function updateRule(ctx: GraphContext): Promise<Response> {
  const input = readRuleInput(await readGraphJson(ctx));
  const rule = loadRule(ctx);
  const next = patchedRule(rule, input, { by: actor(ctx), now: toMdeTime(ctx.state.clock.now()) });
  checkRule(next, ctx.options.ruleLimits);
  saveRule(ctx.state.db, ctx.tenantId, next);
  return graphJson(200, entityBody(ctx, next));
}

/** `DELETE /security/rules/detectionRules/{id}` → 204. */
function removeRule(ctx: GraphContext): Response {
  const id = ctx.params.id ?? "";
  if (!deleteRule(ctx.state.db, ctx.tenantId, id)) throw new GraphApiError(404, "NotFound", `Detection rule with id '${id}' was not found.`);
  return new Response(null, { status: 204 });
}

const PATH = "security/rules/detectionRules";

/** The detection rule operations (journal kind `graph`, operations named below). */
export const graphDetectionRuleOperations: GraphOperationSpec[] = [
  { method: "GET", path: PATH, name: "ListDetectionRules", roles: READ, bucket: "security", handler: listRules },
  { method: "POST", path: PATH, name: "CreateDetectionRule", roles: WRITE, bucket: "security", handler: createRule },
  { method: "GET", path: `${PATH}/{id}`, name: "GetDetectionRule", roles: READ, bucket: "security", handler: getOne },
  { method: "PATCH", path: `${PATH}/{id}`, name: "UpdateDetectionRule", roles: WRITE, bucket: "security", handler: updateRule },
  { method: "DELETE", path: `${PATH}/{id}`, name: "DeleteDetectionRule", roles: WRITE, bucket: "security", handler: removeRule },
];
