/**
 * The webhook's own HTTP client: one POST over node:http(s), connecting only to
 * addresses the target policy accepts (webhook-target.ts `guardedLookup`,
 * checked at connect time), never following a redirect itself, with a time
 * limit per request. The system CA store decides TLS trust.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { guardedLookup, type ResolveAll, systemResolveAll, type WebhookTargetPolicy } from "./webhook-target.js";

/** What the forwarder reads of an answer (a subset of fetch's Response). */
export interface WebhookResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** What the forwarder sends. */
export interface WebhookRequestInit {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
  redirect?: "manual";
}

/** A sender with fetch's shape, restricted to what the forwarder needs. */
export type WebhookSend = (url: string, init: WebhookRequestInit) => Promise<WebhookResponse>;

/** Answers are read up to this size (a receiver's error page, not data). */
const MAX_ANSWER_BYTES = 64 * 1024;

function toResponse(res: IncomingMessage): WebhookResponse {
  let text: Promise<string> | undefined;
  return {
    status: res.statusCode ?? 0,
    headers: {
      get(name) {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    },
    text() {
      text ??= (async () => {
        let out = "";
        for await (const chunk of res) {
          if (out.length < MAX_ANSWER_BYTES) out += String(chunk);
        }
        return out.slice(0, MAX_ANSWER_BYTES);
      })();
      return text;
    },
  };
}

/**
 * Creates the default sender: the policy is applied to every address the
 * target's name resolves to when the socket connects.
 */
export function createWebhookSender(options: WebhookTargetPolicy & { timeoutMs?: number; resolveAll?: ResolveAll } = {}): WebhookSend {
  const lookup = guardedLookup(options, options.resolveAll ?? systemResolveAll);
  const timeoutMs = options.timeoutMs ?? 30_000;
  return (url, init) =>
    new Promise<WebhookResponse>((resolve, reject) => {
      const target = new URL(url);
      const request = target.protocol === "https:" ? httpsRequest : httpRequest;
      const req = request(
        target,
        {
          method: init.method,
          headers: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
          lookup: lookup as never,
          // No pooling: each delivery resolves and checks the name again.
          agent: false,
          timeout: timeoutMs,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => resolve(toResponse(res)),
      );
      req.on("timeout", () => req.destroy(new Error(`the webhook receiver did not answer within ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(init.body);
    });
}
