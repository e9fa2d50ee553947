import { missingKbs } from "../data/tvm-store.js";
import { columnFields, type FieldMap } from "./odata-filter.js";
import { collectionResponse, entityResponse, type OperationContext } from "./operation-context.js";
import { machineIds, machineRefs, tvm, tvmEntity, tvmList, tvmMachine } from "./tvm-common.js";

/** Filterable Software properties (get-software.md: id, name, vendor). */
const SOFTWARE_FIELDS: FieldMap = columnFields("id name vendor");
/** Filterable Vulnerability properties (get-all-vulnerabilities.md). */
const VULNERABILITY_FIELDS: FieldMap = columnFields("id name description cvssv3=cvss_v3:double publishedon=published_on:datetime severity updatedon=updated_on:datetime");
/** Filterable machinesVulnerabilities properties (get-all-vulnerabilities-by-machines.md). */
const EXPOSURE_FIELDS: FieldMap = columnFields("id cveid=cve_id machineid=machine_id fixingkbid=fixing_kb_id product_name product_version severity product_vendor");
/** The vulnerabilities list allows `$top` up to 8,000 (mde-api.md §3.6). */
const VULNERABILITIES_MAX_TOP = 8_000;

const softwareId = (ctx: OperationContext) => (ctx.params.id ?? "").toLowerCase();
const cveId = (ctx: OperationContext) => (ctx.params.id ?? "").toUpperCase();

function requireSoftware(ctx: OperationContext): string {
  tvm(ctx);
  return tvmEntity(ctx, "tvm_software", "Software", softwareId(ctx));
}

// §5.2: the TVM views of one machine.

export function machineSoftware(ctx: OperationContext): Response {
  const id = tvmMachine(ctx);
  return tvmList(ctx, {
    table: "tvm_software",
    entity: "Software",
    fragment: "Software",
    fields: SOFTWARE_FIELDS,
    where: { sql: "id IN (SELECT product_id FROM tvm_installs WHERE tenant_id = ? AND machine_id = ?)", params: [ctx.tenantId, id] },
  });
}

export function machineVulnerabilities(ctx: OperationContext): Response {
  const id = tvmMachine(ctx);
  return tvmList(ctx, {
    table: "tvm_vulnerabilities",
    entity: "Vulnerabilities",
    fragment: "Collection(Analytics.Contracts.PublicAPI.PublicVulnerabilityDto)",
    fields: VULNERABILITY_FIELDS,
    where: { sql: "id IN (SELECT cve_id FROM tvm_exposures WHERE tenant_id = ? AND machine_id = ?)", params: [ctx.tenantId, id] },
  });
}

export function machineMissingKbs(ctx: OperationContext): Response {
  const id = tvmMachine(ctx);
  const items = missingKbs(ctx.state, ctx.tenantId, { machineId: id }).map((k) => JSON.stringify(k));
  return collectionResponse(ctx, "Collection(microsoft.windowsDefenderATP.api.PublicProductFixDto)", items);
}

// §5.11 Software.

export function listSoftware(ctx: OperationContext): Response {
  tvm(ctx);
  return tvmList(ctx, { table: "tvm_software", entity: "Software", fragment: "Software", fields: SOFTWARE_FIELDS });
}

export function getSoftware(ctx: OperationContext): Response {
  return entityResponse(ctx, "Software/$entity", requireSoftware(ctx));
}

export function softwareDistributions(ctx: OperationContext): Response {
  requireSoftware(ctx);
  const rows = ctx.state.db
    .prepare(
      `SELECT i.version AS version, count(*) AS installations,
        (SELECT count(DISTINCT cve_id) FROM tvm_exposures e
          WHERE e.tenant_id = i.tenant_id AND e.product_id = i.product_id AND e.product_version = i.version) AS vulnerabilities
       FROM tvm_installs i WHERE i.tenant_id = ? AND i.product_id = ? GROUP BY i.version ORDER BY i.version`,
    )
    .all(ctx.tenantId, softwareId(ctx)) as Array<{ version: string; installations: number; vulnerabilities: number }>;
  return collectionResponse(
    ctx,
    "Distributions",
    rows.map((r) => JSON.stringify(r)),
  );
}

export function softwareMachineReferences(ctx: OperationContext): Response {
  requireSoftware(ctx);
  const machines = tvm(ctx);
  const ids = machineIds(ctx, "SELECT machine_id FROM tvm_installs WHERE tenant_id = ? AND product_id = ?", ctx.tenantId, softwareId(ctx));
  return collectionResponse(ctx, "MachineReferences", machineRefs(ctx, machines, ids));
}

export function softwareVulnerabilities(ctx: OperationContext): Response {
  requireSoftware(ctx);
  return tvmList(ctx, {
    table: "tvm_vulnerabilities",
    entity: "Vulnerabilities",
    fragment: "Vulnerabilities",
    fields: VULNERABILITY_FIELDS,
    where: { sql: "product_id = ? AND exposed > 0", params: [softwareId(ctx)] },
  });
}

export function softwareMissingKbs(ctx: OperationContext): Response {
  requireSoftware(ctx);
  const items = missingKbs(ctx.state, ctx.tenantId, { productId: softwareId(ctx) }).map((k) => JSON.stringify(k));
  return collectionResponse(ctx, "Collection(microsoft.windowsDefenderATP.api.PublicProductFixDto)", items);
}

// §5.12 Vulnerabilities.

export function listVulnerabilities(ctx: OperationContext): Response {
  tvm(ctx);
  return tvmList(ctx, {
    table: "tvm_vulnerabilities",
    entity: "Vulnerabilities",
    fragment: "Vulnerabilities",
    fields: VULNERABILITY_FIELDS,
    maxTop: VULNERABILITIES_MAX_TOP,
  });
}

export function getVulnerability(ctx: OperationContext): Response {
  tvm(ctx);
  return entityResponse(ctx, "Vulnerabilities/$entity", tvmEntity(ctx, "tvm_vulnerabilities", "Vulnerability", cveId(ctx)));
}

export function vulnerabilityMachineReferences(ctx: OperationContext): Response {
  const machines = tvm(ctx);
  tvmEntity(ctx, "tvm_vulnerabilities", "Vulnerability", cveId(ctx));
  const ids = machineIds(ctx, "SELECT machine_id FROM tvm_exposures WHERE tenant_id = ? AND cve_id = ?", ctx.tenantId, cveId(ctx));
  return collectionResponse(ctx, "MachineReferences", machineRefs(ctx, machines, ids));
}

export function machinesVulnerabilities(ctx: OperationContext): Response {
  tvm(ctx);
  return tvmList(ctx, {
    table: "tvm_exposures",
    entity: "MachinesVulnerabilities",
    fragment: "Collection(microsoft.windowsDefenderATP.api.PublicAssetVulnerabilityDto)",
    fields: EXPOSURE_FIELDS,
  });
}
