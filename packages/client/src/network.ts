/**
 * The default `fetch`: connection pools of the client's own (Node's HTTP client for API calls and
 * token requests, undici's fetch for the rest), so a custom cloud's CA (the offline emulator's, a
 * TLS-inspecting proxy's) is trusted for this client only — never process-wide, never by turning
 * verification off (certificate verification stays on; the process-wide trust store is not touched).
 */
import { createSecureContext, type SecureContext } from "node:tls";
import type { Agent, fetch as UndiciFetch } from "undici";
import { createRequestTransport, type RequestTransport, requestCanAnswer, requestFetch } from "./request-fetch.js";

/** fetch's signature; inject any implementation (the emulator's in-process `fetch`, a recorder, …). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface DefaultFetch {
  fetch: FetchLike;
  /** Closes pooled connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A fetch over the client's own connections. With `ca`, only that CA is trusted (a custom
 * cloud's certificates are issued by it); without, Node's default roots.
 */
export function createDefaultFetch(options: { ca?: string | undefined; connectTimeoutMs?: number } = {}): DefaultFetch {
  // One secure context for every connection, made at the first request: given only `ca`, each TLS
  // connection would build its own from the PEM text (about 1–3 ms of CPU each, measured during a sync).
  let secureContext: SecureContext | undefined;
  const trust = () => (options.ca === undefined ? undefined : (secureContext ??= createSecureContext({ ca: options.ca })));
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  // Node's own HTTP client for API calls and token requests (request-fetch.ts); undici, for fetch
  // itself, is loaded only when a call needs it (~700 KB of JavaScript: CLI start-up time).
  let transport: RequestTransport | undefined;
  let undici: Promise<{ agent: Agent; fetch: typeof UndiciFetch }> | undefined;
  const loadUndici = () =>
    (undici ??= import("undici").then(({ Agent, fetch }) => {
      const context = trust();
      return { agent: new Agent({ connect: { ...(context ? { secureContext: context } : {}), timeout: connectTimeoutMs }, keepAliveTimeout: 10_000 }), fetch };
    }));
  let closed = false;
  const fetch: FetchLike = async (input, init) => {
    // API calls and token requests (no redirect followed, a string body or none): Node's client,
    // answered as fetch answers (request-fetch.ts); anything else through fetch itself.
    if (requestCanAnswer(input, init)) {
      transport ??= createRequestTransport({ secureContext: trust(), connectTimeoutMs });
      return requestFetch(transport, input as string | URL, init);
    }
    const { agent, fetch: undiciFetch } = await loadUndici();
    return undiciFetch(
      input as Parameters<typeof undiciFetch>[0],
      { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1],
    ) as unknown as Promise<Response>;
  };
  return {
    fetch,
    async close() {
      if (closed) return;
      closed = true;
      transport?.http.destroy();
      transport?.https.destroy();
      if (undici) await (await undici).agent.close();
    },
  };
}

/** Network error codes that prove the request never reached the server (safe to repeat anything). */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The `code` of a fetch failure (undici wraps the socket error in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the failure happened before any byte of the request was sent. */
export function failedBeforeSending(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** 127.0.0.0/8 as a dotted quad (the WHATWG URL parser has already normalised other spellings). */
const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * True when `host` is `localhost` or a loopback address (127.0.0.0/8, `::1`,
 * `[::1]`): the hosts that may be spoken to over plain http (consent redirect
 * URIs, the console's `--http`, local webhook receivers). One rule for the
 * whole product.
 *
 * @example isLoopbackHost("127.0.0.1") // true
 * @example isLoopbackHost("partner.example") // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "[::1]" || h === "::1") return true;
  const quad = IPV4_LOOPBACK.exec(h);
  return quad !== null && quad.slice(1).every((part) => Number(part) <= 255);
}
