/**
 * Forwards every new or changed stored alert to a webhook, at least once.
 *
 * - Idempotency key `${tenantId}:${alertId}:${lastUpdateTime}` (header
 *   `Idempotency-Key` and in the body): the same version always carries the
 *   same key, so the receiver can drop repeats.
 * - Its own delivery cursor in the store (webhook_deliveries: the version
 *   delivered per alert): a version is marked only after the receiver said
 *   2xx, so a crash between the two re-sends, never loses.
 * - Retries 429/5xx/network failures with exponential backoff (honouring
 *   `Retry-After`); a pass stops at the first alert it cannot deliver, and
 *   the next pass starts with it again.
 * - Sends only where webhook-target.ts allows (https; http to loopback only;
 *   no metadata service; private ranges only when allowed), checked on the
 *   address connected to. A redirect is followed only to the same origin
 *   (307/308, at most {@link MAX_REDIRECTS}): the body, the signature and the
 *   receiver's API key never reach another host.
 */
import { createHmac } from "node:crypto";
import type { Clock } from "@mde-partner/client";
import type { Store, StoredAlert } from "../store/index.js";
import { toTimeKey } from "../store/index.js";
import { createWebhookSender, type WebhookResponse, type WebhookSend } from "./webhook-http.js";
import { checkWebhookUrl, type ResolveAll, WebhookTargetError } from "./webhook-target.js";
import { createPassLoop } from "./pass-loop.js";

/** Same-origin redirects followed per delivery. */
export const MAX_REDIRECTS = 3;

export interface WebhookForwarderOptions {
  store: Store;
  /** https URL of the receiver (http only to 127.0.0.1, [::1] or localhost). */
  url: string;
  /**
   * Deliver to private (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10) and
   * link-local addresses, and to loopback reached through a DNS name. Default
   * false. Instance-metadata addresses are refused regardless.
   */
  allowPrivateTargets?: boolean;
  /** Name of this forwarder: its delivery state is kept under it (default `default`). */
  name?: string;
  /** Only these tenants (default: all). */
  tenantIds?: readonly string[];
  /** Extra headers (e.g. an authorization the receiver wants). */
  headers?: Record<string, string>;
  /** When set, each body is signed: `X-Signature-256: sha256=<hex HMAC of the body>`. */
  signingSecret?: string;
  /** Attempts per alert before the pass gives up (default 5). */
  maxAttempts?: number;
  /** First retry delay (default 1 s; doubles, jittered, capped at 60 s). */
  backoffBaseMs?: number;
  /** Alerts read per store query (default 200). */
  batchSize?: number;
  /** Time limit per request (default 30 s). */
  timeoutMs?: number;
  /**
   * Sends instead of the built-in client (tests). The URL and redirect rules
   * still apply; the connect-time address check is the built-in client's.
   */
  fetch?: WebhookSend;
  /** Resolves the receiver's name for the connect-time check (tests; default: the system resolver). */
  resolveAll?: ResolveAll;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WebhookPassResult {
  delivered: number;
  /** The first alert that could not be delivered (the pass stopped there). */
  failed?: { tenantId: string; alertId: string; error: string };
}

export interface WebhookForwarder {
  /** Delivers everything pending, then resolves. */
  runOnce(signal?: AbortSignal): Promise<WebhookPassResult>;
  /** Runs a pass every `intervalMs` until `stop()`. */
  start(intervalMs: number, onPass?: (r: WebhookPassResult) => void): void;
  /** Stops after the current delivery; safe to call twice. */
  stop(): Promise<void>;
}

/** A refusal of the target policy, also when it surfaced through the socket's lookup. */
function isTargetError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WebhookTargetError) return true;
  }
  return false;
}

/** The delivery's idempotency key. */
export function idempotencyKey(alert: Pick<StoredAlert, "tenantId" | "id" | "lastUpdateTime">): string {
  return `${alert.tenantId}:${alert.id}:${alert.lastUpdateTime ?? ""}`;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * @example
 * const forwarder = createWebhookForwarder({ store, url: "https://soar.example/hooks/mde", signingSecret });
 * await forwarder.runOnce();
 */
export function createWebhookForwarder(options: WebhookForwarderOptions): WebhookForwarder {
  const policy = { allowPrivateTargets: options.allowPrivateTargets === true };
  let url: URL;
  try {
    url = checkWebhookUrl(options.url, policy);
  } catch (error) {
    // A caller mistake at construction time, like any other bad option.
    throw new TypeError((error as Error).message);
  }
  const name = options.name ?? "default";
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.backoffBaseMs ?? 1000;
  const batchSize = options.batchSize ?? 200;
  const doFetch: WebhookSend =
    options.fetch ??
    createWebhookSender({
      ...policy,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.resolveAll ? { resolveAll: options.resolveAll } : {}),
    });
  const clock = options.clock ?? { now: () => Date.now() };
  const sleep = options.sleep ?? defaultSleep;
  // Rows written since the last complete pass started (minus a margin for
  // transactions in flight then) are all a later pass has to look at; the
  // first pass after a start scans everything.
  const marginMs = 60_000;
  let watermark: string | undefined;

  /** One POST, following same-origin 307/308 redirects only; anything else 3xx is a refusal. */
  async function post(headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<WebhookResponse> {
    let target = url;
    for (let hop = 0; ; hop++) {
      const res = await doFetch(target.href, { method: "POST", headers, body, redirect: "manual", ...(signal ? { signal } : {}) });
      if (res.status < 300 || res.status >= 400) return res;
      await res.text().catch(() => "");
      const location = res.headers.get("location");
      let next: URL | undefined;
      try {
        next = location ? new URL(location, target) : undefined;
      } catch {
        next = undefined;
      }
      // Only the origin is named: the rest of a Location may carry a token.
      if (!next || next.origin !== url.origin) {
        throw new WebhookTargetError(
          `the receiver redirected (HTTP ${res.status}) to ${next ? `another origin, ${next.origin}` : "an unusable location"}: not followed`,
        );
      }
      if (res.status !== 307 && res.status !== 308) {
        throw new WebhookTargetError(`the receiver answered HTTP ${res.status}, a redirect that would drop the POST body: not followed`);
      }
      if (hop >= MAX_REDIRECTS) throw new WebhookTargetError(`the receiver redirected more than ${MAX_REDIRECTS} times`);
      target = checkWebhookUrl(next, policy);
    }
  }

  async function deliver(alert: StoredAlert, signal?: AbortSignal): Promise<void> {
    const key = idempotencyKey(alert);
    const body = JSON.stringify({ idempotencyKey: key, tenantId: alert.tenantId, alert: alert.payload });
    const headers: Record<string, string> = { ...(options.headers ?? {}), "content-type": "application/json", "idempotency-key": key };
    if (options.signingSecret)
      headers["x-signature-256"] = `sha256=${createHmac("sha256", options.signingSecret).update(body).digest("hex")}`;
    let lastError = "";
    let retryAfter = 0;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const cap = Math.min(60_000, base * 2 ** (attempt - 1));
        await sleep(Math.max(retryAfter, Math.round(cap / 2 + (Math.random() * cap) / 2)), signal);
      }
      retryAfter = 0;
      try {
        const res = await post(headers, body, signal);
        await res.text().catch(() => "");
        if (res.status >= 200 && res.status < 300) return;
        lastError = `HTTP ${res.status}`;
        if (res.status !== 429 && res.status !== 408 && res.status < 500) break;
        const ra = Number(res.headers.get("retry-after"));
        if (Number.isFinite(ra) && ra > 0) retryAfter = Math.min(ra * 1000, 60_000);
      } catch (error) {
        if (signal?.aborted) throw error;
        lastError = error instanceof Error ? error.message : String(error);
        // A refused target or redirect is configuration: repeating it changes nothing.
        if (isTargetError(error)) break;
      }
    }
    throw new Error(`webhook delivery failed: ${lastError}`);
  }

  async function runOnce(signal?: AbortSignal): Promise<WebhookPassResult> {
    const passStart = new Date(clock.now() - marginMs).toISOString();
    let delivered = 0;
    for (;;) {
      const pending = await options.store.pendingDeliveries(name, {
        limit: batchSize,
        ...(watermark !== undefined ? { since: watermark } : {}),
        ...(options.tenantIds !== undefined ? { tenantIds: options.tenantIds } : {}),
      });
      if (pending.length === 0) break;
      for (const { alert } of pending) {
        signal?.throwIfAborted();
        try {
          await deliver(alert, signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          return { delivered, failed: { tenantId: alert.tenantId, alertId: alert.id, error: (error as Error).message } };
        }
        await options.store.markDelivered(name, [
          { tenantId: alert.tenantId, alertId: alert.id, lastUpdateKey: toTimeKey(alert.lastUpdateTime ?? "") ?? "" },
        ]);
        delivered++;
      }
    }
    watermark = passStart;
    return { delivered };
  }

  const passes = createPassLoop(runOnce, sleep);
  return {
    runOnce,
    ...passes,
  };
}
