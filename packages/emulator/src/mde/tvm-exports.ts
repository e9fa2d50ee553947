import { defineDownload, signedLink } from "../core/signed-links.js";
import type { EmulatorState } from "../core/state.js";
import { toMdeTime } from "../core/clock.js";
import { dataAnchor } from "../data/generator.js";
import { type ExportKind, exportRows } from "../data/tvm-export-rows.js";
import { ensureTvm } from "../data/tvm-store.js";
import { MdeApiError } from "./errors.js";
import { columnFields, type FieldMap, normalizeDateTime } from "./odata-filter.js";
import { nextLinkFor, parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, contextUrl, jsonResponse, type OperationContext } from "./operation-context.js";
import { tvm } from "./tvm-common.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Filterable device AV properties (device-health-export-antivirus-health-report-api.md; not rbacGroupName, not id). */
const AV_FIELDS: FieldMap = columnFields(`
  machine_id computer_dns_name os_kind os_platform os_version av_mode av_signature_version av_engine_version av_platform_version
  quick_scan_result quick_scan_error full_scan_result full_scan_error av_is_signature_up_to_date av_is_engine_up_to_date
  av_is_platform_up_to_date rbac_group_id:int
`);
/** Device AV info: 20 rows a page unless `pageSize` says otherwise, at most 200,000 (mde-api.md §5.16). */
const AV_DEFAULT_PAGE = 20;
/** Export-assessment JSON APIs: `pageSize` default 50,000, at most 200,000 (mde-api.md §5.17). */
const EXPORT_DEFAULT_PAGE = 50_000;
const MAX_PAGE_SIZE = 200_000;
/** Rows per export file; bigger exports are split into parts as the service does. */
export const EXPORT_FILE_ROWS = 20_000;
/** SoftwareVulnerabilityChangesByMachine looks back at most 14 days. */
const MAX_SINCE_MS = 14 * DAY;

function positiveInt(ctx: OperationContext, name: string, fallback: number, max: number): number {
  const raw = [...ctx.url.searchParams].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${raw.slice(0, 40)}: ${name} must be a positive integer.`);
  const value = Number(raw);
  if (value > max) throw new MdeApiError(400, "InvalidInput", `Invalid input ${value}: ${name} must be at most ${max}.`);
  return value;
}

/** `GET /api/deviceavinfo` (and the release notes' `/api/public/avdeviceshealth`). */
export function deviceAvInfo(ctx: OperationContext): Response {
  tvm(ctx);
  const query = parseListQuery(ctx.url, { entity: "DeviceAvInfo", fields: AV_FIELDS });
  const pageSize = positiveInt(ctx, "pageSize", AV_DEFAULT_PAGE, MAX_PAGE_SIZE);
  const page = queryPage<{ json: string }>(ctx.state.db, { table: "tvm_av", select: "json", tenantId: ctx.tenantId, query, pageSize });
  const next = page.hasMore && query.top === undefined ? nextLinkFor(ctx.url, query.skip + page.rows.length) : undefined;
  return collectionResponse(
    ctx,
    "DeviceAvInfo",
    page.rows.map((r) => r.json),
    next,
  );
}

const SKIPTOKEN = "$skiptoken";

function readSkipToken(ctx: OperationContext): number {
  const raw = ctx.url.searchParams.get(SKIPTOKEN);
  if (raw === null) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { LineStoppedAt?: unknown };
    if (typeof parsed.LineStoppedAt === "number" && Number.isInteger(parsed.LineStoppedAt) && parsed.LineStoppedAt >= 0) return parsed.LineStoppedAt;
  } catch {
    // Falls through to the 400.
  }
  throw new MdeApiError(400, "InvalidInput", "Invalid input $skiptoken: not a token this API issued.");
}

/** The next page's URL: the request's own (same origin) with `$skiptoken` replaced (mde-api.md §3.6). */
function skipTokenLink(ctx: OperationContext, offset: number): string {
  const token = Buffer.from(JSON.stringify({ LineStoppedAt: offset })).toString("base64url");
  const parts = ctx.url.search
    .replace(/^\?/, "")
    .split("&")
    .filter((p) => p !== "" && decodeURIComponent((p.split("=")[0] ?? "").replace(/\+/g, " ")).toLowerCase() !== SKIPTOKEN);
  parts.push(`${SKIPTOKEN}=${token}`);
  return `${ctx.url.origin}${ctx.url.pathname}?${parts.join("&")}`;
}

/** `sinceTime` of the delta export: required, at most 14 days back. */
function sinceTime(ctx: OperationContext): string {
  const raw = [...ctx.url.searchParams].find(([k]) => k.toLowerCase() === "sincetime")?.[1];
  if (!raw) throw new MdeApiError(400, "MissingRequiredParameter", "Parameter sinceTime is missing.");
  const normalized = normalizeDateTime(raw.trim());
  if (!normalized) throw new MdeApiError(400, "InvalidInput", `Invalid input ${raw.slice(0, 40)}: sinceTime must be an ISO-8601 date and time.`);
  const at = Date.parse(`${normalized.slice(0, 23)}Z`);
  if (at < ctx.state.clock.now() - MAX_SINCE_MS)
    throw new MdeApiError(400, "InvalidInput", `Invalid input ${raw.slice(0, 40)}: sinceTime can be at most 14 days in the past.`);
  return toMdeTime(at);
}

/** One JSON export: `pageSize` pages chained by `@odata.nextLink` with `$skiptoken`; `$top` gives one page and no link. */
function jsonExport(kind: ExportKind, fragment: string) {
  return (ctx: OperationContext): Response => {
    const machines = tvm(ctx);
    const since = kind === "SoftwareVulnerabilityChanges" ? sinceTime(ctx) : undefined;
    const top = ctx.url.searchParams.has("$top") ? positiveInt(ctx, "$top", 0, MAX_PAGE_SIZE) : undefined;
    const pageSize = top ?? positiveInt(ctx, "pageSize", EXPORT_DEFAULT_PAGE, MAX_PAGE_SIZE);
    const offset = readSkipToken(ctx);
    const rows: string[] = [];
    let more = false;
    for (const row of exportRows(ctx.state, ctx.tenantId, machines, kind, { offset, limit: pageSize + 1, ...(since ? { since } : {}) })) {
      if (rows.length === pageSize) {
        more = true;
        break;
      }
      rows.push(JSON.stringify(row));
    }
    return collectionResponse(ctx, fragment, rows, more && top === undefined ? skipTokenLink(ctx, offset + rows.length) : undefined);
  };
}

export const secureConfigurationsByMachine = jsonExport("SecureConfigurations", "Collection(microsoft.windowsDefenderATP.api.AssetConfiguration)");
export const softwareVulnerabilitiesByMachine = jsonExport("SoftwareVulnerabilities", "Collection(microsoft.windowsDefenderATP.api.AssetVulnerability)");
export const softwareInventoryByMachine = jsonExport("SoftwareInventory", "Collection(microsoft.windowsDefenderATP.api.AssetSoftware)");
export const softwareVulnerabilityChangesByMachine = jsonExport("SoftwareVulnerabilityChanges", "Collection(microsoft.windowsDefenderATP.api.DeltaAssetVulnerability)");

// File exports.

const FILE_KINDS: readonly ExportKind[] = ["SecureConfigurations", "SoftwareVulnerabilities", "SoftwareInventory", "SoftwareInventoryNonCpe", "InfoGathering"];
/** Folder names the service's blob paths use (examples: ScaExport, VaExport, InfoGatheringExport). */
const FOLDERS: Readonly<Record<string, string>> = {
  SecureConfigurations: "ScaExport",
  SoftwareVulnerabilities: "VaExport",
  SoftwareInventory: "SoftwareInventoryExport",
  SoftwareInventoryNonCpe: "SoftwareInventoryNonCpeExport",
  InfoGathering: "InfoGatheringExport",
};
/** Lines produced per pull of the download stream. */
const STREAM_BATCH = 500;

/**
 * Serves one export part as gzip'd JSON lines, produced in batches while the
 * client reads, never held whole in memory. The rows are read again from the
 * tenant's current data.
 */
function serveExportFile(state: EmulatorState, ref: string, tenantId: string): Response {
  const [kindText = "", partText = ""] = ref.split(".");
  const kind = FILE_KINDS.find((k) => k === kindText);
  const part = Number(partText);
  if (!kind || !Number.isInteger(part) || part < 0) return new Response("Not found", { status: 404 });
  const machines = ensureTvm(state, tenantId);
  const encoder = new TextEncoder();
  const start = part * EXPORT_FILE_ROWS;
  let done = 0;
  const lines = new ReadableStream<Uint8Array>({
    pull(controller) {
      const want = Math.min(STREAM_BATCH, EXPORT_FILE_ROWS - done);
      let text = "";
      let got = 0;
      if (want > 0) {
        for (const row of exportRows(state, tenantId, machines, kind, { offset: start + done, limit: want })) {
          text += `${JSON.stringify(row)}\n`;
          got++;
        }
      }
      done += got;
      if (text) controller.enqueue(encoder.encode(text));
      if (got < want || want === 0) controller.close();
    },
  });
  return new Response(lines.pipeThrough(new CompressionStream("gzip")), {
    headers: { "content-type": "application/octet-stream", "x-ms-blob-type": "BlockBlob" },
  });
}

defineDownload("tvm-export", (state, download) => serveExportFile(state, download.ref, download.tenantId));

function countRows(ctx: OperationContext, kind: ExportKind): number {
  let n = 0;
  for (const _ of exportRows(ctx.state, ctx.tenantId, tvm(ctx), kind, { offset: 0, limit: Infinity })) n++;
  return n;
}

/**
 * One file export: `{@odata.context, exportFiles:[SAS-style links], generatedTime}`.
 * `sasValidHours` sets the links' lifetime (an integer from 1 to `maxHours`).
 */
function fileExport(kind: ExportKind, defaults: { hours: number; maxHours: number }) {
  return (ctx: OperationContext): Response => {
    const hours = positiveInt(ctx, "sasValidHours", defaults.hours, defaults.maxHours);
    const generatedMs = dataAnchor(ctx.state);
    const generatedTime = new Date(generatedMs).toISOString().replace(".000Z", "Z");
    const parts = Math.max(1, Math.ceil(countRows(ctx, kind) / EXPORT_FILE_ROWS));
    const date = generatedTime.slice(0, 10);
    const exportFiles = Array.from({ length: parts }, (_, i) =>
      signedLink(ctx.state, ctx.origin, {
        kind: "tvm-export",
        tenantId: ctx.tenantId,
        ref: `${kind}.${i}`,
        fileName: `${date}-${FOLDERS[kind] ?? kind}-part-${String(i).padStart(5, "0")}.json.gz`,
        validMs: hours * HOUR,
      }),
    );
    return jsonResponse(200, {
      "@odata.context": contextUrl(ctx, "microsoft.windowsDefenderATP.api.ExportFilesResponse"),
      exportFiles,
      generatedTime,
    });
  };
}

/**
 * Assessment file exports: `sasValidHours` at most 6, links valid 1 hour by
 * default (mde-api.md §5.17, §7). The method pages' own text says 24 and 3 hours
 * (DOC-CONFLICT §8.15); the reference's numbers are used here.
 */
const ASSESSMENT_FILES = { hours: 1, maxHours: 6 };
export const secureConfigurationsExport = fileExport("SecureConfigurations", ASSESSMENT_FILES);
export const softwareVulnerabilitiesExport = fileExport("SoftwareVulnerabilities", ASSESSMENT_FILES);
export const softwareInventoryExport = fileExport("SoftwareInventory", ASSESSMENT_FILES);
export const softwareInventoryNonCpeExport = fileExport("SoftwareInventoryNonCpe", ASSESSMENT_FILES);
/** InfoGatheringExport: `sasValidHours` at most 24, links valid 3 hours by default (mde-api.md §5.16). */
export const infoGatheringExport = fileExport("InfoGathering", { hours: 3, maxHours: 24 });
