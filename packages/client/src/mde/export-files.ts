/**
 * Reading export files (mde-api.md §5.16–§5.17): each URL of `exportFiles` is a gzip'd file of
 * JSON lines, one row per line. Rows are streamed: the file is decompressed and split as it
 * arrives, so memory holds one network chunk and one line, never the file — exports of large
 * organizations run to gigabytes.
 *
 * The links are downloaded without credentials (`MdeTransport.download`): they are SAS URLs on
 * another host, and the bearer token must not follow them. The content comes from the customer
 * tenant, so a line longer than {@link MAX_EXPORT_LINE_BYTES} is refused rather than buffered.
 */
import { MdeInvalidResponseError } from "../errors.js";
import type { MdeTransport } from "../pipeline/transport.js";
import type { ExportFilesResponse } from "./models/export.js";
import type { RequestOptions } from "./call.js";

/** Longest line (in characters) accepted in an export file (a documented row is about 1 KB). */
export const MAX_EXPORT_LINE_BYTES = 1 << 20;

/** Options of {@link readExportFile}. */
export interface ReadExportOptions extends RequestOptions {
  /** Operation name in errors and logs (default `DownloadExportFile`). */
  operation?: string;
}

/**
 * Streams the rows of one export file.
 *
 * @example
 * const files = await tenant.mde.exports.exportSoftwareVulnerabilitiesFiles();
 * for (const url of files.exportFiles)
 *   for await (const row of readExportFile(tenant.mde.transport, url)) store(row);
 */
export async function* readExportFile<T = Record<string, unknown>>(
  transport: MdeTransport,
  url: string,
  options: ReadExportOptions = {},
): AsyncGenerator<T, void, undefined> {
  const operation = options.operation ?? "DownloadExportFile";
  if (typeof url !== "string" || url === "") throw new TypeError("url must be a non-empty string");
  if (!transport.download) throw new TypeError("this transport cannot download export files (it was created without a fetch)");
  const details = { tenantId: transport.tenantId, operation };
  const response = await transport.download(url, { signal: options.signal, operation });
  if (!response.body) throw new MdeInvalidResponseError(`${operation}: the export file has no body`, details);
  const text = response.body.pipeThrough(new DecompressionStream("gzip")).pipeThrough(new TextDecoderStream("utf-8", { fatal: true }));
  let pending = "";
  let lineNumber = 0;
  const tooLong = (line: number): never => {
    throw new MdeInvalidResponseError(`${operation}: line ${line} of the export file is longer than ${MAX_EXPORT_LINE_BYTES} characters`, details);
  };
  const parse = (line: string): T => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new MdeInvalidResponseError(`${operation}: line ${lineNumber} of the export file is not JSON`, details);
    }
  };
  try {
    for await (const chunk of text as unknown as AsyncIterable<string>) {
      pending += chunk;
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        if (newline > MAX_EXPORT_LINE_BYTES) tooLong(lineNumber + 1);
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        lineNumber++;
        if (line !== "") yield parse(line);
        newline = pending.indexOf("\n");
      }
      if (pending.length > MAX_EXPORT_LINE_BYTES) tooLong(lineNumber + 1);
    }
  } catch (error) {
    if (error instanceof MdeInvalidResponseError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    throw new MdeInvalidResponseError(`${operation}: reading the export file failed (not gzip'd UTF-8 JSON lines, or the connection broke)`, { ...details, cause: error });
  }
  lineNumber++;
  if (pending.trim() !== "") yield parse(pending.trim());
}

/** Streams the rows of every file of an export, file after file. */
export async function* readExportFiles<T = Record<string, unknown>>(
  transport: MdeTransport,
  exported: Pick<ExportFilesResponse, "exportFiles">,
  options: ReadExportOptions = {},
): AsyncGenerator<T, void, undefined> {
  if (!exported || !Array.isArray(exported.exportFiles)) throw new TypeError("expected an export response with exportFiles");
  for (const url of exported.exportFiles) yield* readExportFile<T>(transport, url, options);
}
