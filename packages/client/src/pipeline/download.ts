/**
 * Unauthenticated GET of a download link the API returned (export files' SAS URLs, mde-api.md
 * §5.16–§5.17; live response results and investigation packages, §5.3). The link is the credential (its query carries an expiry and a signature), and in
 * the real cloud it lives on Azure Storage, not on the API host: no `Authorization` header is ever
 * attached, redirects are not followed, and only `https:` links are fetched (a plain-http link is
 * accepted only on the API's own origin, which the caller configured explicitly).
 *
 * The time limit covers the wait for the response headers; the body then streams for as long
 * as the caller reads it (large exports take minutes).
 */
import { toTransportError } from "../auth/grants/token-source.js";
import { MdeForbiddenError, MdeHttpError, MdeInvalidResponseError, MdeNotFoundError } from "../errors.js";
import type { FetchLike } from "../network.js";

export interface DownloadOptions {
  fetch: FetchLike;
  /** Origin of the API (a plain-http link is accepted only there). */
  apiOrigin: string;
  tenantId: string;
  userAgent?: string | undefined;
  /** Time limit for the response headers, ms. */
  timeoutMs: number;
}

/** Azure Storage's `<Code>…</Code>`, only when it is a plain word (the body is the remote side's text). */
function storageCode(text: string): string | undefined {
  const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(text.slice(0, 4096))?.[1];
  return code;
}

/** Downloads `url` without credentials; resolves with the response whose body is still unread. */
export async function downloadLink(
  options: DownloadOptions,
  url: string,
  call: { signal?: AbortSignal | undefined; operation?: string | undefined } = {},
): Promise<Response> {
  const operation = call.operation ?? "DownloadExportFile";
  let link: URL;
  try {
    link = new URL(url);
  } catch {
    throw new MdeInvalidResponseError(`${operation}: the download link is not an absolute URL`, { tenantId: options.tenantId, operation });
  }
  if (link.protocol !== "https:" && link.origin !== options.apiOrigin)
    throw new MdeInvalidResponseError(`${operation}: refusing to download over ${link.protocol} from ${link.origin}`, {
      tenantId: options.tenantId,
      operation,
    });
  if (link.username || link.password)
    throw new MdeInvalidResponseError(`${operation}: the download link carries user information`, { tenantId: options.tenantId, operation });
  call.signal?.throwIfAborted();
  const headersTimer = new AbortController();
  const timer = setTimeout(() => headersTimer.abort(new Error("timeout")), options.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, headersTimer.signal]) : headersTimer.signal;
  let response: Response;
  try {
    response = await options.fetch(link.href, {
      method: "GET",
      headers: options.userAgent ? { "user-agent": options.userAgent } : {},
      signal,
      redirect: "manual",
    });
  } catch (error) {
    if (call.signal?.aborted) throw call.signal.reason;
    throw toTransportError(error, `${operation} (GET ${link.origin}${link.pathname})`, options.tenantId, headersTimer.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 200 && response.status < 300) return response;
  const text = await response.text().catch(() => "");
  const code = storageCode(text);
  const details = { tenantId: options.tenantId, operation, status: response.status, apiCode: code };
  if (response.status === 403)
    throw new MdeForbiddenError(
      `${operation}: the storage host refused the download link (${code ?? "403"}): it expired or was altered; request a new link`,
      [],
      details,
    );
  if (response.status === 404) throw new MdeNotFoundError(`${operation}: the file behind the link no longer exists; request a new link`, details);
  throw new MdeHttpError(`${operation}: the download failed with HTTP ${response.status}`, details);
}

/**
 * Reads a download's body, at most `maxBytes` of it: a declared or streamed length past the
 * bound cancels the stream and throws `tooLarge()`, so an endless answer costs no more memory
 * than the bound.
 */
export async function readBounded(response: Response, maxBytes: number, tooLarge: () => Error, signal?: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
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
