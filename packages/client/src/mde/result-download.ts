/**
 * Downloads through the short-lived links the MDE API hands out (live response results,
 * investigation packages, export files; mde-api.md §5.3, §5.17), read whole into memory up to a
 * bound. The request itself is the pipeline's one credential-less download (pipeline/download.ts:
 * no bearer token, no redirects, `https` only); this adds the link checks a caller without a
 * transport needs, the size bound and an overall time limit. Exports that can be large stream
 * instead (`exports.readFile`).
 */
import { isLoopback } from "../clouds.js";
import { MdeInvalidResponseError, MdeTimeoutError } from "../errors.js";
import type { FetchLike } from "../network.js";
import { downloadLink, readBounded } from "../pipeline/download.js";
import type { MdeTransport } from "../pipeline/transport.js";

/** Default size bound of a download (100 MB). */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** Default time limit of a whole download (5 minutes). */
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Options of {@link downloadResultLink}. */
export interface ResultDownloadOptions {
  /** fetch without authentication (default: the global fetch; the partner client uses its own, which trusts the cloud's CA). */
  fetch?: FetchLike;
  /** Refuse bodies larger than this (default 100 MB). */
  maxBytes?: number;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Also follow `http://` links to a loopback host (an emulator without TLS); never other hosts. */
  allowInsecureRequests?: boolean;
  /** Recorded on errors. */
  tenantId?: string;
  operation?: string;
}

type Bounds = Pick<ResultDownloadOptions, "maxBytes" | "timeoutMs" | "signal">;

function checkBounds(options: Bounds): { maxBytes: number; timeoutMs: number } {
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new TypeError(`maxBytes must be a positive integer, got ${String(options.maxBytes)}`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError(`timeoutMs must be a positive number, got ${String(options.timeoutMs)}`);
  return { maxBytes, timeoutMs };
}

/**
 * Runs one bounded download: `get` sends the request (with the combined signal), the body is
 * read up to `maxBytes`, and the whole takes at most `timeoutMs`.
 */
async function bounded(
  get: (signal: AbortSignal) => Promise<Response>,
  options: Bounds,
  details: { tenantId?: string | undefined; operation: string },
): Promise<Uint8Array> {
  const { maxBytes, timeoutMs } = checkBounds(options);
  options.signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const tooLarge = () =>
    new MdeInvalidResponseError(`${details.operation}: the result is larger than maxBytes (${maxBytes} bytes); raise maxBytes to download it`, details);
  try {
    return await readBounded(await get(signal), maxBytes, tooLarge, signal);
  } catch (error) {
    if (timeout.aborted && !options.signal?.aborted)
      throw new MdeTimeoutError(`${details.operation}: the download did not finish within ${timeoutMs} ms`, { ...details, cause: error });
    throw error;
  }
}

/**
 * Downloads the bytes behind a result link, without any `Authorization` header. The link comes
 * from the service (tenant-controlled territory): only a plain `https` URL is followed.
 *
 * @example
 * const { value } = await tenant.mde.machineActions.getLiveResponseResultLink(actionId, 1);
 * const bytes = await downloadResultLink(value, { maxBytes: 50 * 1024 * 1024 });
 */
export async function downloadResultLink(link: string, options: ResultDownloadOptions = {}): Promise<Uint8Array> {
  const operation = options.operation ?? "DownloadResult";
  const details = { tenantId: options.tenantId, operation };
  let url: URL | undefined;
  try {
    url = typeof link === "string" ? new URL(link) : undefined;
  } catch {
    url = undefined;
  }
  const insecureOk = url?.protocol === "http:" && options.allowInsecureRequests === true && isLoopback(url);
  if (!url || !(url.protocol === "https:" || insecureOk))
    throw new MdeInvalidResponseError(`${operation}: the service returned a download link that is not a plain https URL; it was not followed`, details);
  const target = url;
  const fetch = options.fetch ?? globalThis.fetch;
  return bounded(
    (signal) =>
      downloadLink(
        { fetch, apiOrigin: insecureOk ? target.origin : "", tenantId: options.tenantId ?? "", timeoutMs: checkBounds(options).timeoutMs },
        target.href,
        { signal, operation },
      ),
    options,
    details,
  );
}

/** The same through a tenant's transport (`transport.download`: the partner client's own credential-less fetch). */
export function downloadThroughTransport(transport: MdeTransport, link: unknown, options: Bounds & { operation: string }): Promise<Uint8Array> {
  const details = { tenantId: transport.tenantId, operation: options.operation };
  const download = transport.download;
  if (!download) throw new TypeError("this transport cannot download links (it was built without a fetch)");
  if (typeof link !== "string") throw new MdeInvalidResponseError(`${options.operation}: the service returned no download link`, details);
  return bounded((signal) => download(link, { signal, operation: options.operation }), options, details);
}
