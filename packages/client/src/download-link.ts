/**
 * Downloads what a time-limited link points at: a live response result
 * (`GetLiveResponseResultDownloadLink`, valid 30 minutes), an investigation
 * package (`getPackageUri`), an export file. Such a link is a storage URL signed
 * by its own query (SAS): it needs no bearer token, so none is ever sent — the
 * link comes from the tenant's API answer and may name any host
 * (mde-api.md §5.3, get-live-response-result.md). The body is read up to
 * `maxBytes` and no further, so a huge or endless answer cannot exhaust memory.
 */
import { MdeHttpError, MdeNetworkError, MdeTimeoutError } from "./errors.js";
import { type FetchLike, failedBeforeSending } from "./network.js";

/** Options of {@link downloadLink}. */
export interface DownloadLinkOptions {
  /** Bytes kept at most (default 50 MiB); the rest is not read (`truncated`). */
  maxBytes?: number;
  /** Gives up after this long (default 5 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a link gave. */
export interface LinkDownload {
  bytes: Uint8Array;
  /** True when the body was longer than `maxBytes` (only `maxBytes` were read). */
  truncated: boolean;
  contentType: string | null;
}

/** Default bound of a download (a transcript is small; a GetFile result can be large). */
export const DEFAULT_DOWNLOAD_MAX_BYTES = 50 * 1024 * 1024;

/**
 * GETs `url` with `fetch` and no credentials of any kind. Only `https:` links are
 * followed (plain `http:` only to a loopback host when `allowInsecureLoopback`).
 *
 * @example
 * const link = await tenant.mde.machineActions.getLiveResponseResultLink(actionId, 0);
 * const { bytes } = await partner.downloadLink(link.value, { maxBytes: 1_000_000 });
 */
export async function downloadLink(
  fetch: FetchLike,
  url: string,
  options: DownloadLinkOptions & { allowInsecureLoopback?: boolean } = {},
): Promise<LinkDownload> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError("the download link is not a URL");
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(target.hostname) || target.hostname.endsWith(".localhost");
  if (target.protocol !== "https:" && !(target.protocol === "http:" && options.allowInsecureLoopback === true && loopback))
    throw new TypeError(`the download link must be https, got ${target.protocol}`);
  if (target.username !== "" || target.password !== "") throw new TypeError("the download link carries credentials in its authority");
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError("maxBytes must be a positive integer");
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // The host is named in errors, never the query: it is the link's signature.
  const where = `the download from ${target.host}`;
  let response: Response;
  try {
    // No Authorization header, no cookies: nothing of ours rides along (the link is its own credential).
    response = await fetch(target.href, { method: "GET", headers: { accept: "*/*" }, credentials: "omit", signal });
  } catch (error) {
    if (timeout.aborted && !options.signal?.aborted) throw new MdeTimeoutError(`${where} took longer than ${Math.round(timeoutMs / 1000)} s`);
    if (options.signal?.aborted) throw error;
    throw new MdeNetworkError(`${where} failed: ${(error as Error).message}`, failedBeforeSending(error), { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new MdeHttpError(
      `${where} failed with HTTP ${response.status}${response.status === 403 ? " (the link expired or was altered: ask for a new one)" : ""}`,
      { status: response.status },
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = response.body?.getReader();
  if (reader) {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const room = maxBytes - size;
        if (value.byteLength > room) {
          chunks.push(value.subarray(0, room));
          size += room;
          truncated = true;
          break;
        }
        chunks.push(value);
        size += value.byteLength;
      }
    } catch (error) {
      if (timeout.aborted) throw new MdeTimeoutError(`${where} took longer than ${Math.round(timeoutMs / 1000)} s`);
      throw new MdeNetworkError(`${where} broke off: ${(error as Error).message}`, false, { cause: error });
    } finally {
      if (truncated) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, truncated, contentType: response.headers.get("content-type") };
}
