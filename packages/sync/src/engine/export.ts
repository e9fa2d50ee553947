/**
 * Streams stored alerts as NDJSON or CSV, oldest change first, with the
 * store's keyset paging underneath (memory stays flat) and the writer's
 * backpressure respected.
 */
import { once } from "node:events";
import type { StoredAlert } from "../store/index.js";
import { csvRecord } from "./csv.js";
import type { ExportOptions } from "./types.js";

/** The CSV columns, in order (stable: scripts depend on them). */
export const CSV_COLUMNS = Object.freeze([
  "tenantId",
  "id",
  "severity",
  "status",
  "title",
  "category",
  "machineId",
  "computerDnsName",
  "alertCreationTime",
  "lastUpdateTime",
  "assignedTo",
  "classification",
  "determination",
] as const);

function csvRow(a: StoredAlert): unknown[] {
  const p = a.payload as Record<string, unknown>;
  return [
    a.tenantId,
    a.id,
    a.severity,
    a.status,
    a.title,
    p["category"],
    a.machineId,
    p["computerDnsName"],
    a.alertCreationTime,
    a.lastUpdateTime,
    a.assignedTo,
    a.classification,
    p["determination"],
  ];
}

/**
 * JSON.stringify leaves DEL, the C1 controls (U+009B reads as CSI on many
 * terminals: `export | cat` must not replay a tenant's escape sequence) and
 * U+2028/U+2029 raw; they only occur inside strings, so `\uXXXX` keeps the value.
 */
const NDJSON_UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(NDJSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out as unknown as NodeJS.EventEmitter, "drain");
}

/**
 * Writes the matching alerts to `out` (not ended: the caller owns the stream).
 *
 * @example
 * const { count } = await exportAlerts({ store, format: "csv", severity: ["High"], out: process.stdout });
 */
export async function exportAlerts(options: ExportOptions): Promise<{ count: number }> {
  if (options.format !== "ndjson" && options.format !== "csv") throw new TypeError('format must be "ndjson" or "csv"');
  if (!options.out || typeof options.out.write !== "function") throw new TypeError("out must be a writable stream");
  const stream = options.store.streamAlerts({
    ...(options.tenantIds !== undefined ? { tenantIds: options.tenantIds } : {}),
    ...(options.severity !== undefined ? { severities: options.severity } : {}),
    ...(options.status !== undefined ? { statuses: options.status } : {}),
    ...(options.since !== undefined ? { from: options.since } : {}),
    ...(options.until !== undefined ? { to: options.until } : {}),
    sort: "lastUpdateTime",
    order: "asc",
  });
  let count = 0;
  if (options.format === "csv") await write(options.out, csvRecord(CSV_COLUMNS));
  for await (const alert of stream) {
    options.signal?.throwIfAborted();
    const line = options.format === "csv" ? csvRow(alert) : null;
    await write(options.out, line ? csvRecord(line) : ndjsonLine({ tenantId: alert.tenantId, ...alert.payload }));
    count++;
  }
  return { count };
}
