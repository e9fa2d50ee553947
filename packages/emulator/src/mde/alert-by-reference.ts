import { randomUUID } from "node:crypto";
import { toMdeTime } from "../core/clock.js";
import { bumpedUpdateTime } from "../data/alert-changes.js";
import { EVIDENCE_KEYS } from "../data/alert-factory.js";
import { alertInserter, alertJson } from "../data/alert-store.js";
import { alertId, getCounter, reserve, salt32, setCounter } from "../data/identifiers.js";
import { startInvestigation } from "../data/investigation-store.js";
import { formatDateTime, parseDateTime, TICKS_PER_MS, type Value } from "../hunting/kql/values.js";
import { HUNTING_TABLES, tenantTables } from "../hunting/tables/tenant-tables.js";
import { MdeApiError } from "./errors.js";
import { findMachine } from "./machines.js";
import { entityResponse, type OperationContext } from "./operation-context.js";
import { checkBody, optionalEnum, optionalString, readJsonObject } from "./request-body.js";

const KEYS = ["eventTime", "reportId", "machineId", "severity", "title", "description", "recommendedAction", "category"] as const;
const SEVERITIES = ["Low", "Medium", "High"] as const;
/** Categories create-alert-by-reference.md lists (mde-api.md §5.1). */
const CATEGORIES = [
  "General", "CommandAndControl", "Collection", "CredentialAccess", "DefenseEvasion", "Discovery", "Exfiltration", "Exploit",
  "Execution", "InitialAccess", "LateralMovement", "Malware", "Persistence", "PrivilegeEscalation", "Ransomware", "SuspiciousActivity",
] as const;
/** The longest title or description accepted (DOC-SILENT; keeps one call from storing megabytes). */
const MAX_TEXT = 10_000;

type EventRow = Record<string, Value>;

/**
 * The advanced hunting event (a `Device…Events` or DeviceInfo row) with this
 * ReportId, Timestamp and DeviceId — the triple create-alert-by-reference.md
 * says identifies the event. Timestamps compare to the tick, as the hunting
 * API prints them (seven fraction digits).
 */
function findEvent(ctx: OperationContext, reportId: number, at: bigint, machineId: string): { table: string; row: EventRow } | undefined {
  const tables = tenantTables(ctx.state, ctx.tenantId);
  for (const name of HUNTING_TABLES) {
    if (!name.startsWith("Device")) continue;
    const table = tables.table(name);
    const col = (n: string) => table.columns.findIndex((c) => c.name === n);
    const [r, t, d] = [col("ReportId"), col("Timestamp"), col("DeviceId")];
    if (r < 0 || t < 0 || d < 0) continue;
    const hit = table.rows.find((row) => row[r] === reportId && row[t] === at && row[d] === machineId);
    if (hit) return { table: name, row: Object.fromEntries(table.columns.map((c, i) => [c.name, hit[i] ?? null])) };
  }
  return undefined;
}

const text = (v: Value | undefined): string | null => (typeof v === "string" && v !== "" ? v : null);
const num = (v: Value | undefined): number | null => (typeof v === "number" ? v : null);
const time = (v: Value | undefined): string | null => (typeof v === "bigint" ? formatDateTime(v) : null);

/** Evidence items (mde-api.md §6.1.1, every key present) describing the event: its process or file, remote address, account. */
function evidenceFor(table: string, event: EventRow, created: string): Array<Record<string, unknown>> {
  const blank = () => Object.fromEntries(EVIDENCE_KEYS.map((k) => [k, null])) as Record<string, unknown>;
  const items: Array<Record<string, unknown>> = [];
  const sha1 = text(event.SHA1) ?? text(event.InitiatingProcessSHA1);
  if (sha1) {
    const own = text(event.SHA1) !== null;
    const e = blank();
    const path = own ? text(event.FolderPath) : text(event.InitiatingProcessFolderPath);
    const name = own ? text(event.FileName) : text(event.InitiatingProcessFileName);
    Object.assign(e, {
      // A process event's own hash is the process; a file or image-load event's is a file; otherwise the initiating process.
      entityType: own && table !== "DeviceProcessEvents" ? "File" : "Process",
      evidenceCreationTime: created,
      sha1,
      sha256: own ? text(event.SHA256) : text(event.InitiatingProcessSHA256),
      fileName: name,
      filePath: path && name && path.endsWith(name) ? path.slice(0, -name.length).replace(/[\\/]$/, "") : path,
      processId: own ? num(event.ProcessId) : num(event.InitiatingProcessId),
      processCommandLine: own ? text(event.ProcessCommandLine) : text(event.InitiatingProcessCommandLine),
      processCreationTime: own ? time(event.ProcessCreationTime) : time(event.InitiatingProcessCreationTime),
      parentProcessId: own ? num(event.InitiatingProcessId) : num(event.InitiatingProcessParentId),
      parentProcessFileName: own ? text(event.InitiatingProcessFileName) : text(event.InitiatingProcessParentFileName),
      detectionStatus: "Detected",
    });
    items.push(e);
  }
  const remoteIp = text(event.RemoteIP);
  if (remoteIp && event.RemoteIPType === "Public") items.push({ ...blank(), entityType: "Ip", evidenceCreationTime: created, ipAddress: remoteIp });
  const remoteUrl = text(event.RemoteUrl);
  if (remoteUrl) {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(remoteUrl) ? remoteUrl : `https://${remoteUrl}/`;
    items.push({ ...blank(), entityType: "Url", evidenceCreationTime: created, url });
  }
  const account = text(event.AccountName) ?? text(event.InitiatingProcessAccountName);
  if (account) {
    items.push({
      ...blank(),
      entityType: "User",
      evidenceCreationTime: created,
      accountName: account,
      domainName: text(event.AccountDomain) ?? text(event.InitiatingProcessAccountDomain),
      userSid: text(event.AccountSid) ?? text(event.InitiatingProcessAccountSid),
      aadUserId: text(event.AccountObjectId) ?? text(event.InitiatingProcessAccountObjectId),
      userPrincipalName: text(event.AccountUpn) ?? text(event.InitiatingProcessAccountUpn),
    });
  }
  return items;
}

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key) as string;
  if (value.length > MAX_TEXT) throw new MdeApiError(400, "InvalidInput", `Invalid input ${key}: at most ${MAX_TEXT} characters.`);
  return value;
}

/**
 * An open alert on the same device with the same title absorbs the new one
 * (create-alert-by-reference.md): its lastEventTime moves to the event when
 * later, its lastUpdateTime is bumped, and it is answered instead.
 */
function absorb(ctx: OperationContext, machineId: string, title: string, eventTime: string): Response | undefined {
  const row = ctx.state.db
    .prepare(
      `SELECT seq, json, evidence FROM alerts WHERE tenant_id = ? AND machine_id = ? AND status != 'Resolved'
       AND json_extract(json, '$.title') = ? ORDER BY seq DESC LIMIT 1`,
    )
    .get(ctx.tenantId, machineId, title) as { seq: number; json: string; evidence: string } | undefined;
  if (!row) return undefined;
  const alert = JSON.parse(row.json) as Record<string, unknown>;
  if (eventTime > String(alert.lastEventTime ?? "")) alert.lastEventTime = eventTime;
  if (eventTime < String(alert.firstEventTime ?? eventTime)) alert.firstEventTime = eventTime;
  alert.lastUpdateTime = bumpedUpdateTime(ctx.state.clock.now(), String(alert.lastUpdateTime));
  const json = JSON.stringify(alert);
  ctx.state.db
    .prepare("UPDATE alerts SET last_update_time = ?, last_event_time = ?, first_event_time = ?, json = ? WHERE seq = ?")
    .run(alert.lastUpdateTime, alert.lastEventTime, alert.firstEventTime, json, row.seq);
  return entityResponse(ctx, "Alerts/$entity", alertJson(json, row.evidence));
}

/**
 * POST /api/alerts/CreateAlertByReference (create-alert-by-reference.md;
 * mde-api.md §5.1): every body property required; the event named by
 * reportId + eventTime + machineId must be one advanced hunting returns (else
 * 404); an open alert with the same title on the device absorbs the new one;
 * otherwise a New alert is stored (so alert lists, the machine's alerts, Graph
 * alerts_v2 and the entity lookups see it) and an automated investigation
 * starts for it. `detectionSource` is `CustomDetection` (DOC-SILENT).
 */
export async function createAlertByReference(ctx: OperationContext): Promise<Response> {
  const body = await readJsonObject(ctx.c);
  checkBody(body, KEYS, KEYS);
  if (typeof body.reportId === "number") body.reportId = String(body.reportId);
  const [eventTimeText, reportIdText, machineIdText, title, description] = ["eventTime", "reportId", "machineId", "title", "description"].map((k) =>
    requiredString(body, k),
  ) as [string, string, string, string, string];
  requiredString(body, "recommendedAction");
  const severity = optionalEnum(body, "severity", SEVERITIES) as string;
  const category = optionalEnum(body, "category", CATEGORIES) as string;
  const at = parseDateTime(eventTimeText);
  if (at === undefined) throw new MdeApiError(400, "InvalidInput", `Invalid input ${eventTimeText.slice(0, 40)}: eventTime is not a date and time.`);
  if (!/^\d{1,18}$/.test(reportIdText)) throw new MdeApiError(400, "InvalidInput", `Invalid input ${reportIdText.slice(0, 40)}: reportId is a number.`);
  const machine = findMachine(ctx, machineIdText);
  const event = machine ? findEvent(ctx, Number(reportIdText), at, machine.id) : undefined;
  if (!machine || !event) {
    throw new MdeApiError(404, "ResourceNotFound", `No event with reportId ${reportIdText}, eventTime ${eventTimeText.slice(0, 40)} on machine ${machineIdText.slice(0, 64)} was found`);
  }
  const eventTime = formatDateTime(at);
  const absorbed = ctx.state.db.transaction(() => absorb(ctx, machine.id, title, eventTime))();
  if (absorbed) return absorbed;

  const m = JSON.parse(machine.json) as { id: string; computerDnsName: string; rbacGroupName?: string | null };
  const now = ctx.state.clock.now();
  const created = toMdeTime(now);
  const tenantSalt = salt32(`${ctx.state.options.seed}/${ctx.tenantId}`);
  const evidence = evidenceFor(event.table, event.row, created);
  const user = evidence.find((e) => e.entityType === "User" && e.domainName && String(e.domainName).toLowerCase() !== "nt authority");
  const json = ctx.state.db.transaction(() => {
    const index = reserve(ctx.state.db, ctx.tenantId, "alertIndex", 1);
    const incidentId = getCounter(ctx.state.db, ctx.tenantId, "incidentId", 1000) + 1;
    setCounter(ctx.state.db, ctx.tenantId, "incidentId", incidentId);
    const id = alertId(now, Number((BigInt(now) * TICKS_PER_MS) % 10_000n), index, tenantSalt);
    const inv = startInvestigation(ctx.state, ctx.tenantId, m, id);
    const alert = {
      id,
      incidentId,
      investigationId: Number(inv.id),
      assignedTo: null,
      severity,
      status: "New",
      classification: null,
      determination: null,
      investigationState: inv.state,
      detectionSource: "CustomDetection",
      detectorId: randomUUID(),
      category,
      threatFamilyName: null,
      title,
      description,
      alertCreationTime: created,
      firstEventTime: eventTime,
      lastEventTime: eventTime,
      lastUpdateTime: created,
      resolvedTime: null,
      machineId: m.id,
      computerDnsName: m.computerDnsName,
      rbacGroupName: m.rbacGroupName ?? null,
      aadTenantId: ctx.tenantId,
      threatName: null,
      mitreTechniques: [] as string[],
      relatedUser: user ? { userName: user.accountName, domainName: user.domainName } : null,
      comments: [] as unknown[],
    };
    const text = JSON.stringify(alert);
    alertInserter(ctx.state.db)({
      tenant_id: ctx.tenantId,
      id,
      alert_creation_time: created,
      last_update_time: created,
      last_event_time: eventTime,
      first_event_time: eventTime,
      status: "New",
      severity,
      category,
      detection_source: "CustomDetection",
      incident_id: incidentId,
      investigation_id: Number(inv.id),
      assigned_to: null,
      machine_id: m.id,
      json: text,
      evidence: JSON.stringify(evidence),
    });
    return text;
  })();
  return entityResponse(ctx, "Alerts/$entity", alertJson(json, JSON.stringify(evidence)));
}
