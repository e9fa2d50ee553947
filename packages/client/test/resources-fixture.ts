/**
 * Test-only MdeTransport: builds the URL from the request, calls an injected fetch and throws on
 * non-2xx. It deliberately does NOT check next-link origins (the pager must do that itself).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MdeRequest, MdeTransport } from "../src/pipeline/transport.js";

/** The documented example payloads, kept in the repository (docs/reference/examples, with their sources). */
export const EXAMPLES_DIR = fileURLToPath(new URL("../../../docs/reference/examples/", import.meta.url));

/** Ids the documented examples use: a device, a device with TVM data, a file's SHA-1. */
export const MACHINE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
export const TVM_MACHINE = "ac233fa6208e1579620bf44207c4006ed7cc4501";
export const SHA1 = "4388963aaa83afe2042a46a3c017ad50bdcdafb3";

/** Reads an example file as JSON. */
export function example(name: string): unknown {
  return JSON.parse(readFileSync(`${EXAMPLES_DIR}${name}`, "utf8"));
}
/** Reads an example file as text. */
export function exampleText(name: string): string {
  return readFileSync(`${EXAMPLES_DIR}${name}`, "utf8");
}

export interface Captured {
  request: MdeRequest;
  url: URL;
  method: string;
  /** Parsed JSON body (or the FormData) as sent. */
  body: unknown;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export class TestHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

export function createTestTransport(
  fetchImpl: FetchLike,
  baseUrl = "https://api.security.microsoft.com",
): MdeTransport & { captured: Captured[] } {
  const captured: Captured[] = [];
  return {
    baseUrl,
    tenantId: "11111111-2222-3333-4444-555555555555",
    captured,
    async send(request: MdeRequest): Promise<Response> {
      let url: URL;
      if (request.url !== undefined) {
        url = new URL(request.url);
      } else {
        url = new URL(baseUrl + request.path);
        for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      }
      const isForm = request.body instanceof FormData;
      const init: RequestInit = { method: request.method, headers: isForm ? {} : { "content-type": "application/json" } };
      if (request.body !== undefined) init.body = isForm ? (request.body as FormData) : JSON.stringify(request.body);
      if (request.signal) init.signal = request.signal;
      captured.push({
        request,
        url,
        method: request.method,
        body: request.body === undefined ? undefined : isForm ? request.body : JSON.parse(JSON.stringify(request.body)),
      });
      const response = await fetchImpl(url.href, init);
      if (!response.ok) throw new TestHttpError(response.status, await response.text());
      return response;
    },
  };
}

/** A fetch that answers every call with `body` (JSON unless a string is given). */
export function respondWith(body: unknown, status = 200): FetchLike {
  return async () =>
    new Response(status === 204 ? null : typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
}
