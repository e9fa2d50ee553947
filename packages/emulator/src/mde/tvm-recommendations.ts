import { toMdeTime } from "../core/clock.js";
import { CONFIGURATIONS } from "../data/tvm-catalog.js";
import { machineExposure, type TvmMachine } from "../data/tvm-store.js";
import { MdeApiError } from "./errors.js";
import { columnFields, type FieldMap } from "./odata-filter.js";
import { collectionResponse, entityResponse, jsonResponse, contextUrl, type OperationContext } from "./operation-context.js";
import { machineIds, machineRefs, tvm, tvmEntity, tvmList, tvmMachine } from "./tvm-common.js";

/** Filterable Recommendation properties (get-all-recommendations.md). */
const RECOMMENDATION_FIELDS: FieldMap = columnFields(
  "id product_name vendor recommended_version recommendation_category sub_category severityscore=severity_score:double remediation_type recommended_program recommended_vendor status",
);
/** Filterable remediation task properties (get-remediation-all-activities.md: createdon, status). */
const TASK_FIELDS: FieldMap = columnFields("createdon=created_on:datetime status");
const VULNERABILITY_FIELDS: FieldMap = columnFields("id name description cvssv3=cvss_v3:double publishedon=published_on:datetime severity updatedon=updated_on:datetime");

const recommendationId = (ctx: OperationContext) => (ctx.params.id ?? "").toLowerCase();

function requireRecommendation(ctx: OperationContext): Record<string, unknown> & { id: string } {
  tvm(ctx);
  return JSON.parse(tvmEntity(ctx, "tvm_recommendations", "Recommendation", recommendationId(ctx))) as Record<string, unknown> & { id: string };
}

/** The product of a `va-_-{vendor}-_-{name}` recommendation, or null for a configuration one. */
const productOf = (id: string) => (id.startsWith("va-_-") ? id.slice("va-_-".length) : null);

/** Machines a recommendation applies to: exposed to the product's CVEs, or failing the configuration. */
function exposedMachines(ctx: OperationContext, id: string): string[] {
  const product = productOf(id);
  if (product) return machineIds(ctx, "SELECT DISTINCT machine_id FROM tvm_exposures WHERE tenant_id = ? AND product_id = ?", ctx.tenantId, product);
  return machineIds(ctx, "SELECT machine_id FROM tvm_config WHERE tenant_id = ? AND scid = ? AND compliant = 0", ctx.tenantId, id.replace(/^sca-_-/, ""));
}

// §5.2

export function machineRecommendations(ctx: OperationContext): Response {
  const id = tvmMachine(ctx);
  return tvmList(ctx, {
    table: "tvm_recommendations",
    entity: "Recommendations",
    fragment: "Recommendations",
    fields: RECOMMENDATION_FIELDS,
    where: {
      sql: `(product_id IN (SELECT product_id FROM tvm_exposures WHERE tenant_id = ? AND machine_id = ?)
        OR id IN (SELECT 'sca-_-' || scid FROM tvm_config WHERE tenant_id = ? AND machine_id = ? AND compliant = 0))`,
      params: [ctx.tenantId, id, ctx.tenantId, id],
    },
  });
}

// §5.13

export function listRecommendations(ctx: OperationContext): Response {
  tvm(ctx);
  return tvmList(ctx, { table: "tvm_recommendations", entity: "Recommendations", fragment: "Recommendations", fields: RECOMMENDATION_FIELDS });
}

export function getRecommendation(ctx: OperationContext): Response {
  return entityResponse(ctx, "Recommendations/$entity", JSON.stringify(requireRecommendation(ctx)));
}

/** The recommendation's software as a single object (list-recommendation-software.md); configuration recommendations have none. */
export function recommendationSoftware(ctx: OperationContext): Response {
  const rec = requireRecommendation(ctx);
  const product = productOf(rec.id);
  if (!product) throw new MdeApiError(404, "ResourceNotFound", `Software for recommendation ${ctx.params.id} was not found`);
  return entityResponse(ctx, "Analytics.Contracts.PublicAPI.PublicProductDto", tvmEntity(ctx, "tvm_software", "Software", product));
}

export function recommendationMachineReferences(ctx: OperationContext): Response {
  const rec = requireRecommendation(ctx);
  return collectionResponse(ctx, "MachineReferences", machineRefs(ctx, tvm(ctx), exposedMachines(ctx, rec.id)));
}

export function recommendationVulnerabilities(ctx: OperationContext): Response {
  const rec = requireRecommendation(ctx);
  return tvmList(ctx, {
    table: "tvm_vulnerabilities",
    entity: "Vulnerabilities",
    fragment: "Collection(Analytics.Contracts.PublicAPI.PublicVulnerabilityDto)",
    fields: VULNERABILITY_FIELDS,
    where: { sql: "product_id = ? AND exposed > 0", params: [productOf(rec.id) ?? ""] },
  });
}

// §5.14 Scores.

/** Exposure per covered machine (0–100) from the severities of the CVEs it is exposed to. */
function exposures(ctx: OperationContext, machines: Map<string, TvmMachine>): Map<string, number> {
  const rows = ctx.state.db.prepare("SELECT machine_id, severity FROM tvm_exposures WHERE tenant_id = ?").all(ctx.tenantId) as Array<{
    machine_id: string;
    severity: string;
  }>;
  const severities = new Map<string, string[]>([...machines.keys()].map((id) => [id, []]));
  for (const r of rows) severities.get(r.machine_id)?.push(r.severity);
  return new Map([...severities].map(([id, s]) => [id, machineExposure(s)]));
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** The organization's exposure score: the mean exposure of its machines (score.md: 0–100, lower is better). */
export function exposureScore(ctx: OperationContext): Response {
  const scores = exposures(ctx, tvm(ctx));
  return entityResponse(ctx, "ExposureScore/$entity", JSON.stringify({ time: toMdeTime(ctx.state.clock.now()), score: mean([...scores.values()]) }));
}

export function exposureScoreByMachineGroups(ctx: OperationContext): Response {
  const machines = tvm(ctx);
  const scores = exposures(ctx, machines);
  const groups = new Map<string, { id: number | null; values: number[] }>();
  for (const m of machines.values()) {
    if (!m.rbacGroupName) continue;
    let g = groups.get(m.rbacGroupName);
    if (!g) groups.set(m.rbacGroupName, (g = { id: m.rbacGroupId, values: [] }));
    g.values.push(scores.get(m.id) ?? 0);
  }
  const time = toMdeTime(ctx.state.clock.now());
  const items = [...groups].map(([name, g]) => JSON.stringify({ time, score: mean(g.values), rbacGroupName: name, rbacGroupId: g.id === null ? null : String(g.id) }));
  return collectionResponse(ctx, "ExposureScore", items);
}

/**
 * Secure (configuration) score: each assessed configuration contributes ten
 * points per point of impact, scaled by the share of applicable machines that
 * comply (the example prints 340).
 */
export function configurationScore(ctx: OperationContext): Response {
  tvm(ctx);
  const rows = ctx.state.db
    .prepare("SELECT scid, count(*) AS total, sum(compliant) AS ok FROM tvm_config WHERE tenant_id = ? GROUP BY scid")
    .all(ctx.tenantId) as Array<{ scid: string; total: number; ok: number }>;
  let score = 0;
  for (const r of rows) score += 10 * (CONFIGURATIONS.find((c) => c.scid === r.scid)?.impact ?? 0) * (r.ok / r.total);
  return jsonResponse(200, { "@odata.context": contextUrl(ctx, "ConfigurationScore/$entity"), time: toMdeTime(ctx.state.clock.now()), score: Math.round(score) });
}

// §5.15 Remediation activities.

export function listRemediationTasks(ctx: OperationContext): Response {
  tvm(ctx);
  return tvmList(ctx, { table: "tvm_remediation_tasks", entity: "RemediationTasks", fragment: "RemediationTasks", fields: TASK_FIELDS });
}

export function getRemediationTask(ctx: OperationContext): Response {
  tvm(ctx);
  return entityResponse(ctx, "RemediationTasks/$entity", tvmEntity(ctx, "tvm_remediation_tasks", "RemediationTask", (ctx.params.id ?? "").toLowerCase()));
}

/** Devices a task still targets: those its recommendation currently applies to. */
export function remediationTaskMachineReferences(ctx: OperationContext): Response {
  const machines = tvm(ctx);
  tvmEntity(ctx, "tvm_remediation_tasks", "RemediationTask", (ctx.params.id ?? "").toLowerCase());
  const row = ctx.state.db
    .prepare("SELECT recommendation_id FROM tvm_remediation_tasks WHERE tenant_id = ? AND id = ?")
    .get(ctx.tenantId, (ctx.params.id ?? "").toLowerCase()) as { recommendation_id: string };
  return collectionResponse(ctx, "MachineReferences", machineRefs(ctx, machines, exposedMachines(ctx, row.recommendation_id)));
}
