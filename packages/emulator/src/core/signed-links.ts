import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { EmulatorState } from "./state.js";

/**
 * Time-limited download links, as the MDE API hands out for export files,
 * live response results and investigation packages: Azure Storage SAS URLs
 * whose query carries the expiry (`se`), the permission (`sp=r`) and a
 * signature (`sig`), and which need no bearer token. Here the signature is an
 * HMAC over kind, tenant, reference and expiry with a key made per emulator,
 * and the files are served under `/_downloads/…` by the handler registered for
 * their kind.
 *
 * Refusals imitate Azure Storage: 403 with an XML `<Error>` body,
 * `AuthenticationFailed` for a bad signature and for an expired link
 * (learn.microsoft.com, "Create a service SAS": "If the signedExpiry time is in
 * the past, the request fails with status code 403 (Forbidden)").
 */

/** What a valid link points at. */
export interface Download {
  /** Which handler serves it (`tvm-export`, `live-response`, …). */
  kind: string;
  tenantId: string;
  /** The handler's own reference (an export id, `actionId/index`, …). */
  ref: string;
  /** File name shown in the URL's last segment. */
  fileName: string;
  expiresAt: number;
}

/** Serves one download; called only after the link's signature and expiry were checked. */
export type DownloadHandler = (state: EmulatorState, download: Download) => Response | Promise<Response>;

/** Handlers by kind. Code, not world state: modules register theirs when they load. */
const handlers = new Map<string, DownloadHandler>();
/** One signing key per emulator, made on first use. */
const keys = new WeakMap<EmulatorState, Buffer>();

/** Registers the handler of one kind of download (once per kind). */
export function defineDownload(kind: string, handler: DownloadHandler): void {
  if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new TypeError(`download kind must be lowercase words with dashes, got ${kind}`);
  if (handlers.has(kind) && handlers.get(kind) !== handler) throw new Error(`download kind ${kind} is already defined`);
  handlers.set(kind, handler);
}

function keyOf(state: EmulatorState): Buffer {
  let key = keys.get(state);
  if (!key) {
    key = randomBytes(32);
    keys.set(state, key);
  }
  return key;
}

function signature(state: EmulatorState, d: Pick<Download, "kind" | "tenantId" | "ref">, se: string): string {
  return createHmac("sha256", keyOf(state)).update(`${d.kind}\n${d.tenantId}\n${d.ref}\n${se}`).digest("base64url");
}

/** Second-precision ISO time, as SAS `se` values are written. */
const sasTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/**
 * A link to one download on this emulator (`origin` = scheme + host the client
 * called), valid for `validMs` from the emulator clock's now.
 */
export function signedLink(
  state: EmulatorState,
  origin: string,
  link: { kind: string; tenantId: string; ref: string; fileName: string; validMs: number },
): string {
  if (!handlers.has(link.kind)) throw new Error(`no download handler for kind ${link.kind}`);
  const se = sasTime(state.clock.now() + link.validMs);
  const sig = signature(state, link, se);
  const path = [link.kind, link.tenantId, link.ref, link.fileName].map(encodeURIComponent).join("/");
  return `${origin}/_downloads/${path}?sv=2020-08-04&sp=r&se=${encodeURIComponent(se)}&sr=b&sig=${sig}`;
}

function storageError(status: number, code: string, message: string): Response {
  const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nTime:${new Date().toISOString()}</Message></Error>`;
  return new Response(body, { status, headers: { "content-type": "application/xml" } });
}

/** Answers `GET /_downloads/{kind}/{tenant}/{ref}/{fileName}?…&se=…&sig=…`. */
export async function serveDownload(state: EmulatorState, url: URL): Promise<Response> {
  const parts = url.pathname.split("/").slice(2);
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    decoded = [];
  }
  const [kind = "", tenantId = "", ref = "", fileName = ""] = decoded;
  const handler = handlers.get(kind);
  if (decoded.length !== 4 || !handler || !tenantId || !ref || !fileName)
    return storageError(404, "ResourceNotFound", "The specified resource does not exist.");
  const se = url.searchParams.get("se") ?? "";
  const sig = url.searchParams.get("sig") ?? "";
  const expected = Buffer.from(signature(state, { kind, tenantId, ref }, se));
  const given = Buffer.from(sig);
  if (se === "" || given.length !== expected.length || !timingSafeEqual(given, expected))
    return storageError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.");
  const expiresAt = Date.parse(se);
  if (!Number.isFinite(expiresAt) || expiresAt <= state.clock.now())
    return storageError(403, "AuthenticationFailed", "Server failed to authenticate the request. Signature not valid in the specified time frame.");
  return handler(state, { kind, tenantId, ref, fileName, expiresAt });
}
