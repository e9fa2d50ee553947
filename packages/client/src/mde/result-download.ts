/**
 * Downloads through the short-lived links the MDE API hands out (live response results,
 * investigation packages, export files; mde-api.md §5.3, §5.17). Such a link is an Azure Storage
 * SAS URL on another host (`…core.windows.net/…?se=…&sp=r&sig=…`): the link is the credential, so
 * the request carries no bearer token — the token must never leave the API host (STYLE.md habit 7).
 * The link comes from the service, which is tenant-controlled territory, so only `https` links are
 * followed, redirects are refused, and the body is read only up to `maxBytes`.
 */
import { MdeHttpError, MdeInvalidResponseError, MdeNetworkError, MdeTimeoutError } from "../errors.js";
import type { FetchLike } from "../network.js";
import { isLoopback } from "../clouds.js";

/** Default size bound of a download (100 MB). */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 100 * 1024 * 1024;

/** Options of {@link downloadResultLink}. */
export interface ResultDownloadOptions {
  /** fetch without authentication (default: the global fetch; the partner client passes its own, which trusts the cloud's CA). */
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

function checkLink(link: unknown, allowInsecure: boolean, details: { tenantId?: string | undefined; operation: string }): URL {
  let url: URL | undefined;
  try {
    url = typeof link === "string" ? new URL(link) : undefined;
  } catch {
    url = undefined;
  }
  const insecureOk = url?.protocol === "http:" && allowInsecure && isLoopback(url);
  if (!url || !(url.protocol === "https:" || insecureOk) || url.username !== "" || url.password !== "")
    throw new MdeInvalidResponseError(`${details.operation}: the service returned a download link that is not a plain https URL; it was not followed`, details);
  return url;
}

/** The `<Code>` of an Azure Storage XML error body, if it is a plain word. */
function storageCode(text: string): string | undefined {
  const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(text)?.[1];
  return code;
}

/**
 * Downloads the bytes behind a result link, without any `Authorization` header.
 *
 * @example
 * const { value } = await tenant.mde.machineActions.getLiveResponseResultLink(actionId, 1);
 * const bytes = await downloadResultLink(value, { maxBytes: 50 * 1024 * 1024 });
 */
export async function downloadResultLink(link: string, options: ResultDownloadOptions = {}): Promise<Uint8Array> {
  const operation = options.operation ?? "DownloadResult";
  const details = { tenantId: options.tenantId, operation };
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new TypeError(`maxBytes must be a positive integer, got ${String(options.maxBytes)}`);
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  if (!(timeoutMs > 0)) throw new TypeError(`timeoutMs must be a positive number, got ${String(options.timeoutMs)}`);
  const url = checkLink(link, options.allowInsecureRequests === true, details);
  options.signal?.throwIfAborted();
  const fetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const timedOut = () => timeout.aborted && !options.signal?.aborted;
  let response: Response;
  try {
    // No credentials of any kind, and no redirect: a redirect could lead anywhere.
    response = await fetch(url.href, { method: "GET", redirect: "error", signal, headers: { accept: "*/*" } });
  } catch (error) {
    if (timedOut()) throw new MdeTimeoutError(`${operation}: the download did not answer within ${timeoutMs} ms`, { ...details, cause: error });
    if (options.signal?.aborted) throw options.signal.reason;
    throw new MdeNetworkError(`${operation}: the download link could not be reached (${url.host})`, false, { ...details, cause: error });
  }
  if (response.status < 200 || response.status > 299) {
    const text = await readCapped(response, 16 * 1024, signal).then((b) => new TextDecoder().decode(b)).catch(() => "");
    const apiCode = storageCode(text);
    const hint = response.status === 403 ? ": the link expired (they last 30 minutes) or was altered; request a new link" : "";
    throw new MdeHttpError(`${operation}: the download was refused with HTTP ${response.status}${apiCode ? ` ${apiCode}` : ""}${hint}`, {
      ...details,
      status: response.status,
      apiCode,
    });
  }
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(operation, maxBytes, details);
  }
  try {
    const bytes = await readCapped(response, maxBytes, signal);
    if (bytes === undefined) throw tooLarge(operation, maxBytes, details);
    return bytes;
  } catch (error) {
    if (timedOut()) throw new MdeTimeoutError(`${operation}: the download did not finish within ${timeoutMs} ms`, { ...details, cause: error });
    throw error;
  }
}

const tooLarge = (operation: string, maxBytes: number, details: { tenantId?: string | undefined; operation: string }) =>
  new MdeInvalidResponseError(`${operation}: the result is larger than maxBytes (${maxBytes} bytes); raise maxBytes to download it`, details);

/** Reads at most `limit` bytes; undefined (and the stream cancelled) when the body is longer. */
async function readCapped(response: Response, limit: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    signal.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
