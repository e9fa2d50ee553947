import { isIP } from "node:net";
import { countAlerts, listAlerts } from "./alerts.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { columnFields, type FieldMap, normalizeDateTime } from "./odata-filter.js";
import { MAX_PAGE, nextLinkFor, parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, entityResponse, operation, type OperationContext, type OperationSpec } from "./operation-context.js";
import { checkBody, optionalEnum, optionalString, readJsonObject } from "./request-body.js";

const READ = ["Machine.Read.All", "Machine.ReadWrite.All"] as const;
const WRITE = ["Machine.ReadWrite.All"] as const;
const DEVICE_VALUES = ["Normal", "Low", "High"] as const;

/** Filterable machine properties (get-machines.md; mde-api.md §5.2). */
export const MACHINE_FIELDS: FieldMap = columnFields(`
  computer_dns_name:lower id:lower version device_value aad_device_id:lower machine_tags:stringList
  last_seen:datetime exposure_level onboarding_status last_ip_address health_status os_platform risk_score
  rbac_group_id:int
`);

export interface MachineRow {
  seq: number;
  id: string;
  json: string;
}

/** Finds a machine by device id or computer DNS name ("by its device ID or computer name", get-machine-by-id.md). */
export function findMachine(ctx: OperationContext, idOrName: string): MachineRow | undefined {
  const key = idOrName.toLowerCase();
  return ctx.state.db
    .prepare("SELECT seq, id, json FROM machines WHERE tenant_id = ? AND (id = ? OR computer_dns_name = ?) ORDER BY seq LIMIT 1")
    .get(ctx.tenantId, key, key) as MachineRow | undefined;
}

/** The machine named by the `{id}` path parameter, or 404 ResourceNotFound "Machine <id> was not found". */
export function requireMachine(ctx: OperationContext): MachineRow {
  const id = ctx.params.id ?? "";
  const row = findMachine(ctx, id);
  if (!row) throw resourceNotFound("Machine", id);
  return row;
}

function listMachines(ctx: OperationContext): Response {
  const query = parseListQuery(ctx.url, { entity: "Machines", fields: MACHINE_FIELDS });
  const page = queryPage<{ json: string }>(ctx.state.db, { table: "machines", select: "json", tenantId: ctx.tenantId, query });
  const next =
    page.hasMore && query.top === undefined && ctx.state.options.nextLinkWithoutTop
      ? nextLinkFor(ctx.url, query.skip + MAX_PAGE)
      : undefined;
  return collectionResponse(
    ctx,
    "Machines",
    page.rows.map((r) => r.json),
    next,
  );
}

/**
 * Get machine. The get-machine-by-id.md example prints `#Machine` (singular);
 * the emulator answers `#Machines/$entity`, the pattern of every other entity.
 */
function getMachine(ctx: OperationContext): Response {
  return entityResponse(ctx, "Machines/$entity", requireMachine(ctx).json);
}

const machineAlertsWhere = (id: string) => ({ sql: "machine_id = ?", params: [id] });

function machineAlerts(ctx: OperationContext): Response {
  return listAlerts(ctx, machineAlertsWhere(requireMachine(ctx).id));
}

function machineAlertsCount(ctx: OperationContext): Response {
  return countAlerts(ctx, machineAlertsWhere(requireMachine(ctx).id));
}

function logonUsers(ctx: OperationContext): Response {
  const machine = requireMachine(ctx);
  const rows = ctx.state.db
    .prepare(
      `SELECT json_extract(json, '$.relatedUser.userName') AS u, json_extract(json, '$.relatedUser.domainName') AS d,
        min(alert_creation_time) AS first, max(alert_creation_time) AS last
       FROM alerts WHERE tenant_id = ? AND machine_id = ? AND json_extract(json, '$.relatedUser') IS NOT NULL GROUP BY u, d ORDER BY u`,
    )
    .all(ctx.tenantId, machine.id) as Array<{ u: string; d: string; first: string; last: string }>;
  const items = rows.map((r) =>
    JSON.stringify({
      id: `${r.d.toLowerCase()}\\${r.u}`,
      accountName: r.u,
      accountDomain: r.d.toLowerCase(),
      firstSeen: r.first,
      lastSeen: r.last,
      logonTypes: "Interactive",
      isDomainAdmin: false,
      isOnlyNetworkUser: false,
    }),
  );
  return collectionResponse(ctx, "Users", items);
}

/** Rewrites a machine's tags and device value in its JSON and columns together. */
function saveMachine(ctx: OperationContext, row: MachineRow, change: { tags?: string[]; deviceValue?: string }): string {
  const machine = JSON.parse(row.json) as Record<string, unknown>;
  if (change.tags) machine.machineTags = change.tags;
  if (change.deviceValue) machine.deviceValue = change.deviceValue;
  const json = JSON.stringify(machine);
  ctx.state.db
    .prepare("UPDATE machines SET machine_tags = ?, device_value = ?, json = ? WHERE seq = ?")
    .run(JSON.stringify(machine.machineTags ?? []), machine.deviceValue ?? null, json, row.seq);
  return json;
}

function tagChange(body: Record<string, unknown>): { value: string; add: boolean } {
  const value = optionalString(body, "Value") ?? "";
  const action = optionalEnum(body, "Action", ["Add", "Remove"] as const);
  if (value.length > 200)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${value.slice(0, 20)}…: tags are limited to 200 characters.`);
  return { value, add: action === "Add" };
}

function applyTag(tags: readonly string[], change: { value: string; add: boolean }): string[] {
  const rest = tags.filter((t) => t !== change.value);
  return change.add ? [...rest, change.value] : rest;
}

async function machineTags(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["Value", "Action"], ["Value", "Action"]);
  const change = tagChange(body);
  const row = requireMachine(ctx);
  const tags = (JSON.parse(row.json) as { machineTags?: string[] }).machineTags ?? [];
  return entityResponse(ctx, "Machines/$entity", saveMachine(ctx, row, { tags: applyTag(tags, change) }));
}

async function machineTagsMany(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["Value", "Action", "MachineIds"], ["Value", "Action", "MachineIds"]);
  const change = tagChange(body);
  const ids = body.MachineIds;
  if (!Array.isArray(ids) || ids.some((i) => typeof i !== "string")) {
    throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: MachineIds must be an array of strings.");
  }
  // Up to 500 machines per call (add-or-remove-multiple-machine-tags.md).
  if (ids.length > 500)
    throw new MdeApiError(400, "MaximumBatchSizeExceeded", `Maximum batch size exceeded. Received: ${ids.length}, allowed: 500.`);
  const updated: string[] = [];
  ctx.state.db.transaction(() => {
    for (const id of ids as string[]) {
      const row = findMachine(ctx, id);
      if (!row) continue;
      const tags = (JSON.parse(row.json) as { machineTags?: string[] }).machineTags ?? [];
      updated.push(saveMachine(ctx, row, { tags: applyTag(tags, change) }));
    }
  })();
  return collectionResponse(ctx, "Machines", updated);
}

async function setDeviceValue(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["DeviceValue"], ["DeviceValue"]);
  const deviceValue = optionalEnum(body, "DeviceValue", DEVICE_VALUES) as string;
  return entityResponse(ctx, "Machines/$entity", saveMachine(ctx, requireMachine(ctx), { deviceValue }));
}

/**
 * PATCH machine: `machineTags` replaces the tag list and `deviceValue` sets the
 * value (update-machine-method.md; the "replaces all tags" reading of
 * DOC-CONFLICT §8.13).
 */
async function updateMachine(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, ["machineTags", "deviceValue"]);
  const change: { tags?: string[]; deviceValue?: string } = {};
  if (body.machineTags !== undefined) {
    if (!Array.isArray(body.machineTags) || body.machineTags.some((t) => typeof t !== "string")) {
      throw new MdeApiError(400, "InvalidRequestBody", "Request body is incorrect: machineTags must be an array of strings.");
    }
    change.tags = [...new Set(body.machineTags as string[])];
  }
  const deviceValue = optionalEnum(body, "deviceValue", DEVICE_VALUES);
  if (deviceValue) change.deviceValue = deviceValue;
  return entityResponse(ctx, "Machines/$entity", saveMachine(ctx, requireMachine(ctx), change));
}

function findByTag(ctx: OperationContext): Response {
  const tag = ctx.url.searchParams.get("tag");
  if (!tag) throw new MdeApiError(400, "MissingRequiredParameter", "Parameter tag is missing.");
  const startsWith = (ctx.url.searchParams.get("useStartsWithFilter") ?? "false").toLowerCase() === "true";
  const rows = ctx.state.db
    .prepare(
      `SELECT json FROM machines WHERE tenant_id = ? AND EXISTS (SELECT 1 FROM json_each(machine_tags) WHERE ${
        startsWith ? "instr(value, ?) = 1" : "value = ?"
      }) ORDER BY seq LIMIT ?`,
    )
    .all(ctx.tenantId, tag, MAX_PAGE) as Array<{ json: string }>;
  return collectionResponse(
    ctx,
    "Machines",
    rows.map((r) => r.json),
  );
}

/** Checks an IP address and a timestamp within the last 30 days (find-machines-by-ip.md, find-machine-info-by-ip.md). */
function checkIpAndTime(ctx: OperationContext, args: string, ip: string | undefined, ts: string | undefined, form: string): string {
  if (!ip || !ts) throw new MdeApiError(400, "InvalidInput", `Invalid input ${args}: expected ${form}.`);
  if (isIP(ip) === 0) throw new MdeApiError(400, "InvalidIpAddress", `IP address ${ip} is invalid`);
  const normalized = normalizeDateTime(ts);
  if (!normalized) throw new MdeApiError(400, "InvalidInput", `Invalid input ${ts}`);
  const at = Date.parse(`${normalized.slice(0, 23)}Z`);
  const now = ctx.state.clock.now();
  if (at < now - 30 * 86_400_000 || at > now + 60_000)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${ts}: the timestamp must be within the last 30 days.`);
  return ip;
}

/**
 * The tenant's machines with the address. The emulator keeps no IP history:
 * it matches the machines' current addresses (so the ±15/±16 minute window
 * around the timestamp, DOC-CONFLICT §8.12, is not modelled).
 */
function machinesWithIp(ctx: OperationContext, ip: string): Array<{ json: string }> {
  return ctx.state.db
    .prepare(
      `SELECT json FROM machines WHERE tenant_id = ? AND (last_ip_address = ? OR EXISTS (
         SELECT 1 FROM json_each(json, '$.ipAddresses') WHERE json_extract(value, '$.ipAddress') = ?)) ORDER BY seq`,
    )
    .all(ctx.tenantId, ip, ip) as Array<{ json: string }>;
}

/** findbyip: machines seen with the internal IP around the timestamp (find-machines-by-ip.md). */
function findByIp(ctx: OperationContext): Response {
  const args = ctx.params.args ?? "";
  const ip = /ip\s*=\s*'([^']*)'/i.exec(args)?.[1];
  const ts = /timestamp\s*=\s*([0-9TZ:.+-]+)/i.exec(args)?.[1];
  checkIpAndTime(ctx, args, ip, ts, "findbyip(ip='<ip>',timestamp=<datetime>)");
  return collectionResponse(
    ctx,
    "Machines",
    machinesWithIp(ctx, ip as string).map((r) => r.json),
  );
}

/**
 * The older form `find(timestamp=…,key=…)` (find-machine-info-by-ip.md): the
 * key may be quoted or not; the answer is the reduced machine of the
 * documented example (`id`, `computerDnsName`, `firstSeen`, `osPlatform`),
 * and 404 when no machine had the address.
 */
function findMachineInfoByIp(ctx: OperationContext): Response {
  const args = ctx.params.args ?? "";
  const key = /key\s*=\s*(?:'([^']*)'|([^,'\s)]+))/i.exec(args);
  const ts = /timestamp\s*=\s*([0-9TZ:.+-]+)/i.exec(args)?.[1];
  const ip = checkIpAndTime(ctx, args, key?.[1] ?? key?.[2], ts, "find(timestamp=<datetime>,key='<ip>')");
  const rows = machinesWithIp(ctx, ip);
  if (rows.length === 0) throw new MdeApiError(404, "ResourceNotFound", `No machine was found with IP ${ip} around ${ts}`);
  const items = rows.map((r) => {
    const m = JSON.parse(r.json) as Record<string, unknown>;
    return JSON.stringify({ id: m.id, computerDnsName: m.computerDnsName, firstSeen: m.firstSeen, osPlatform: m.osPlatform });
  });
  return collectionResponse(ctx, "Machines", items);
}

/** Machine operations of mde-api.md §5.2 (export and TVM sub-resources are in other-operations.ts). */
export const machineOperations: OperationSpec[] = [
  operation("GET", "machines", "ListMachines", READ, listMachines),
  operation("GET", "machines/findbytag", "FindMachinesByTag", READ, findByTag),
  operation("GET", "machines/findbyip({args})", "FindMachinesByIp", READ, findByIp),
  operation("GET", "machines/find({args})", "FindMachineInfoByIp", READ, findMachineInfoByIp),
  operation("POST", "machines/AddOrRemoveTagForMultipleMachines", "AddOrRemoveTagForMultipleMachines", WRITE, machineTagsMany),
  operation("GET", "machines/{id}", "GetMachine", READ, getMachine),
  operation("PATCH", "machines/{id}", "UpdateMachine", WRITE, updateMachine),
  operation("GET", "machines/{id}/logonusers", "GetMachineLogonUsers", ["User.Read.All"], logonUsers),
  operation("GET", "machines/{id}/alerts", "GetMachineRelatedAlerts", ["Alert.Read.All", "Alert.ReadWrite.All"], machineAlerts),
  operation("GET", "machines/{id}/alerts/$count", "GetMachineRelatedAlerts", ["Alert.Read.All", "Alert.ReadWrite.All"], machineAlertsCount),
  operation("POST", "machines/{id}/tags", "AddOrRemoveMachineTags", WRITE, machineTags),
  operation("POST", "machines/{id}/setDeviceValue", "SetDeviceValue", WRITE, setDeviceValue),
];
