import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { toMdeTime } from "../core/clock.js";
import { type EntityFacts, entityIndex, type FileFacts, type Sighting } from "../data/entity-index.js";
import { binaryOf } from "../hunting/tables/fields.js";
import { fileHashes, joinPath } from "../hunting/tables/context.js";
import { listAlerts } from "./alerts.js";
import { MdeApiError, resourceNotFound } from "./errors.js";
import { collectionResponse, entityResponse, type OperationContext } from "./operation-context.js";

/** The most machines GetDomainRelatedMachines returns (get-domain-related-machines.md; mde-api.md §5.8). */
export const DOMAIN_MACHINES_LIMIT = 500;
/** Largest and default `lookBackHours` of the statistics APIs: 30 days (mde-api.md §5.7–§5.9, §7). */
export const MAX_LOOKBACK_HOURS = 720;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
// Host names: dot-separated labels of letters, digits, '-' and '_' (no leading or trailing '-'), at most 253 characters.
const DOMAIN = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

const invalidHash = (value: string, hint: string) => new MdeApiError(400, "InvalidHashValue", `Hash ${value} is invalid: ${hint}`);

/** The `{id}` of a file path as a SHA-1; `allowSha256` for GetFile, which also takes a SHA-256 (get-file-information.md). */
function fileKey(ctx: OperationContext, allowSha256: boolean): string | undefined {
  const id = (ctx.params.id ?? "").toLowerCase();
  if (SHA1.test(id)) return id;
  if (allowSha256 && SHA256.test(id)) return entityIndex(ctx.state, ctx.tenantId).sha256ToSha1.get(id);
  throw invalidHash(ctx.params.id ?? "", allowSha256 ? "expected a SHA-1 or SHA-256 hash." : "this API takes a SHA-1 hash.");
}

function ipKey(ctx: OperationContext): string {
  const ip = ctx.params.ip ?? "";
  if (isIP(ip) === 0) throw new MdeApiError(400, "InvalidIpAddress", `IP address ${ip} is invalid`);
  return ip.toLowerCase();
}

function domainKey(ctx: OperationContext): string {
  const domain = ctx.params.domain ?? "";
  if (!DOMAIN.test(domain)) throw new MdeApiError(400, "InvalidDomainName", `Domain name ${domain} is invalid`);
  return domain.toLowerCase().replace(/\.$/, "");
}

/**
 * `lookBackHours`: optional, default and maximum 720 (30 days); anything else
 * than a whole number from 1 to 720 is 400 InvalidInput.
 */
function lookBackHours(ctx: OperationContext): number {
  let raw: string | undefined;
  for (const [key, value] of ctx.url.searchParams) if (key.toLowerCase() === "lookbackhours") raw = value;
  if (raw === undefined) return MAX_LOOKBACK_HOURS;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${raw}: lookBackHours must be a whole number of hours from 1 to ${MAX_LOOKBACK_HOURS}.`);
  const hours = Number(raw);
  if (hours > MAX_LOOKBACK_HOURS)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${raw}: the maximum value for lookBackHours is ${MAX_LOOKBACK_HOURS} hours (30 days).`);
  return hours;
}

/** Alerts by id, through the alert list (so `$filter`, `$top`, `$skip`, `$expand=evidence` work as on /api/alerts). */
function alertsOf(ctx: OperationContext, facts: EntityFacts | undefined): Response {
  const ids = facts ? [...facts.alertIds] : [];
  return listAlerts(ctx, { sql: "id IN (SELECT value FROM json_each(?))", params: [JSON.stringify(ids)] });
}

/** The machines of the alerts whose evidence holds the entity, in store order. */
function machinesOf(ctx: OperationContext, facts: EntityFacts | undefined, limit = 10_000): Response {
  const ids = facts ? [...new Set(facts.sightings.map((s) => s.machineId))] : [];
  const rows = ctx.state.db
    .prepare("SELECT json FROM machines WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?")
    .all(ctx.tenantId, JSON.stringify(ids), limit) as Array<{ json: string }>;
  return collectionResponse(
    ctx,
    "Machines",
    rows.map((r) => r.json),
  );
}

/** Distinct devices and first/last sighting within the last `hours` of the emulator clock. */
function prevalence(ctx: OperationContext, sightings: readonly Sighting[], hours: number) {
  const since = ctx.state.clock.now() - hours * HOUR;
  const recent = sightings.filter((s) => s.ms >= since);
  const times = recent.map((s) => s.ms);
  return {
    organizationPrevalence: new Set(recent.map((s) => s.machineId)).size,
    orgFirstSeen: times.length > 0 ? toMdeTime(Math.min(...times)) : null,
    orgLastSeen: times.length > 0 ? toMdeTime(Math.max(...times)) : null,
  };
}

/** A stable number from a hash, for the world-wide figures the tenant cannot know. */
const hashNumber = (sha1: string, from: number, to: number) => Number.parseInt(sha1.slice(from, to), 16) || 0;

function globalFacts(file: FileFacts) {
  const times = file.sightings.map((s) => s.ms);
  const machines = new Set(file.sightings.map((s) => s.machineId)).size;
  return {
    globalPrevalence: machines + (hashNumber(file.sha1, 0, 6) % 20_000),
    globalFirstObserved: toMdeTime(Math.min(...times) - (hashNumber(file.sha1, 6, 10) % 400) * DAY),
    globalLastObserved: toMdeTime(Math.max(...times)),
  };
}

const FILE_TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.(exe|dll|sys|scr|com)$/i, "PortableExecutable"],
  [/\.(ps1|sh|bat|cmd|vbs|js|hta|php|py)$/i, "Script"],
  [/\.(docm|docx|doc|xlsm|xlsx|pdf)$/i, "Document"],
];

/**
 * The File entity of files.md (mde-api.md §6.7) for a file the tenant's alerts
 * hold. Name-derived facts (publisher, size) come from the hunting catalogue's
 * binaries, so a file and its DeviceProcessEvents rows agree; `md5` is the one
 * those rows carry. The determination follows the alerts' threat names.
 */
export function fileEntity(file: FileFacts): Record<string, unknown> {
  const first = file.names[0] ?? { name: "", folder: "" };
  const binary = binaryOf(first.name);
  const signed = binary.company !== "";
  const threat = [...file.threats][0];
  const isPeFile = /\.(exe|dll|sys|scr|com)$/i.test(first.name);
  return {
    sha1: file.sha1,
    sha256: file.sha256,
    md5: fileHashes(joinPath(first.folder, first.name)).md5,
    ...globalFacts(file),
    size: binary.size || 20_000 + (hashNumber(file.sha1, 10, 16) % 4_000_000),
    fileType: FILE_TYPES.find(([re]) => re.test(first.name))?.[1] ?? null,
    isPeFile,
    filePublisher: signed ? binary.company : null,
    fileProductName: binary.product || null,
    signer: signed ? binary.company : null,
    issuer: signed ? "Microsoft Code Signing PCA 2011" : null,
    signerHash: signed ? createHash("sha1").update(`signer:${binary.company}`).digest("hex") : null,
    isValidCertificate: signed,
    determinationType: threat ? "Malware" : "Unknown",
    determinationValue: threat ?? null,
  };
}

function requireFile(ctx: OperationContext): FileFacts {
  const key = fileKey(ctx, true);
  const file = key ? entityIndex(ctx.state, ctx.tenantId).files.get(key) : undefined;
  if (!file) throw resourceNotFound("File", ctx.params.id ?? "");
  return file;
}

/** GET /api/files/{id} (get-file-information.md): SHA-1 or SHA-256; 404 for a file the tenant has not seen. */
export function getFile(ctx: OperationContext): Response {
  return entityResponse(ctx, "Files/$entity", JSON.stringify(fileEntity(requireFile(ctx))));
}

const fileFacts = (ctx: OperationContext): FileFacts | undefined => {
  const key = fileKey(ctx, false) as string;
  return entityIndex(ctx.state, ctx.tenantId).files.get(key);
};

/** GET /api/files/{id}/alerts: SHA-1 only; an unknown file is an empty set (get-file-related-alerts.md). */
export const fileAlerts = (ctx: OperationContext): Response => alertsOf(ctx, fileFacts(ctx));

/** GET /api/files/{id}/machines: SHA-1 only; an unknown file is an empty set (get-file-related-machines.md). */
export const fileMachines = (ctx: OperationContext): Response => machinesOf(ctx, fileFacts(ctx));

/**
 * GET /api/files/{id}/stats (get-file-statistics.md): prevalence in the
 * organisation within `lookBackHours`, world-wide figures, the names the file
 * was seen under, most frequent first; 404 for an unknown file.
 */
export function fileStats(ctx: OperationContext): Response {
  const hours = lookBackHours(ctx);
  const file = requireFile(ctx);
  const counts = new Map<string, number>();
  for (const { name } of file.names) if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  const { globalPrevalence, globalFirstObserved, globalLastObserved } = globalFacts(file);
  const body = {
    sha1: file.sha1,
    ...prevalence(ctx, file.sightings, hours),
    globallyPrevalence: globalPrevalence,
    globalFirstObserved,
    globalLastObserved,
    topFileNames: [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
  };
  return entityResponse(ctx, "microsoft.windowsDefenderATP.api.InOrgFileStats", JSON.stringify(body));
}

const domainFacts = (ctx: OperationContext) => entityIndex(ctx.state, ctx.tenantId).domains.get(domainKey(ctx));

/** GET /api/domains/{domain}/alerts: alerts whose URL evidence names the host; unknown → empty (get-domain-related-alerts.md). */
export const domainAlerts = (ctx: OperationContext): Response => alertsOf(ctx, domainFacts(ctx));

/** GET /api/domains/{domain}/machines: at most 500 devices (get-domain-related-machines.md). */
export const domainMachines = (ctx: OperationContext): Response => machinesOf(ctx, domainFacts(ctx), DOMAIN_MACHINES_LIMIT);

/** GET /api/domains/{domain}/stats: unknown host → prevalence 0 (get-domain-statistics.md). */
export function domainStats(ctx: OperationContext): Response {
  const hours = lookBackHours(ctx);
  const host = domainKey(ctx);
  const facts = entityIndex(ctx.state, ctx.tenantId).domains.get(host);
  const body = { host, ...prevalence(ctx, facts?.sightings ?? [], hours) };
  return entityResponse(ctx, "microsoft.windowsDefenderATP.api.InOrgDomainStats", JSON.stringify(body));
}

/** GET /api/ips/{ip}/alerts: valid but unknown → empty; invalid → 400 (get-ip-related-alerts.md). */
export const ipAlerts = (ctx: OperationContext): Response => alertsOf(ctx, entityIndex(ctx.state, ctx.tenantId).ips.get(ipKey(ctx)));

/** GET /api/ips/{ip}/stats: unknown → prevalence 0; invalid → 400 (get-ip-statistics.md). */
export function ipStats(ctx: OperationContext): Response {
  const hours = lookBackHours(ctx);
  const ip = ipKey(ctx);
  const facts = entityIndex(ctx.state, ctx.tenantId).ips.get(ip);
  const body = { ipAddress: ctx.params.ip ?? ip, ...prevalence(ctx, facts?.sightings ?? [], hours) };
  return entityResponse(ctx, "microsoft.windowsDefenderATP.api.InOrgIPStats", JSON.stringify(body));
}

/** The `{id}` of a user path: the account name, not the UPN (get-user-related-alerts.md). */
const userFacts = (ctx: OperationContext) => entityIndex(ctx.state, ctx.tenantId).users.get((ctx.params.id ?? "").toLowerCase());

/** GET /api/users/{id}/alerts: unknown → empty (get-user-related-alerts.md). */
export const userAlerts = (ctx: OperationContext): Response => alertsOf(ctx, userFacts(ctx));

/** GET /api/users/{id}/machines: unknown → empty (get-user-related-machines.md). */
export const userMachines = (ctx: OperationContext): Response => machinesOf(ctx, userFacts(ctx));
