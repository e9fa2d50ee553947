/**
 * The webhook in config.json: where new and changed alerts are forwarded by
 * the long-running commands (`sync --watch`, `worker`, `serve`). Like the
 * credential, it holds references only: the signing secret and the receiver's
 * API key are read from an environment variable or a file when a command
 * starts, never written to the config.
 */
import { checkWebhookUrl, createWebhookForwarder, type Store, type WebhookForwarder, type WebhookPassResult } from "@mde-partner/sync";
import { usageError } from "./errors.js";
import { secretFromEnv, secretFromFile } from "./secret-reference.js";

/** `webhook` in config.json. */
export interface WebhookConfig {
  /** https URL of the receiver (http only to 127.0.0.1, [::1] or localhost). */
  url: string;
  /** Environment variable holding the HMAC signing secret (`X-Signature-256`). */
  secretEnv?: string;
  /** File holding the HMAC signing secret. */
  secretFile?: string;
  /** Environment variable holding the receiver's API key (sent as `x-api-key`). */
  apiKeyEnv?: string;
  /** Deliver to private and link-local addresses (never metadata services). */
  allowPrivateTargets?: boolean;
  /** Seconds between delivery passes (default 10). */
  intervalSec?: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks the `webhook` entry of a parsed config; returns a reason, or undefined when valid (or absent). */
export function webhookConfigProblem(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "webhook must be an object";
  const w = raw as Record<string, unknown>;
  if (typeof w.url !== "string" || w.url === "") return "webhook.url is missing";
  try {
    checkWebhookUrl(w.url, { allowPrivateTargets: w.allowPrivateTargets === true });
  } catch (error) {
    return (error as Error).message;
  }
  for (const key of ["secretEnv", "apiKeyEnv"] as const) {
    if (w[key] !== undefined && (typeof w[key] !== "string" || !ENV_NAME.test(w[key]))) return `webhook.${key} is not an environment variable name`;
  }
  if (w.secretEnv !== undefined && w.secretFile !== undefined) return "webhook has both secretEnv and secretFile";
  if (w.secretFile !== undefined && (typeof w.secretFile !== "string" || w.secretFile === "")) return "webhook.secretFile is not a path";
  if (w.allowPrivateTargets !== undefined && typeof w.allowPrivateTargets !== "boolean") return "webhook.allowPrivateTargets must be true or false";
  if (w.intervalSec !== undefined && !(typeof w.intervalSec === "number" && w.intervalSec >= 1 && w.intervalSec <= 86_400))
    return "webhook.intervalSec must be 1 to 86400";
  return undefined;
}

const fromEnv = (env: NodeJS.ProcessEnv, name: string, what: string) =>
  secretFromEnv(env, name, `webhook ${what}`, { hint: `export ${name}=… or change it with mde-partner webhook set` });

/** The forwarder's options from the config entry, with the referenced secrets read now. */
export function resolveWebhook(webhook: WebhookConfig, env: NodeJS.ProcessEnv) {
  let signingSecret: string | undefined;
  if (webhook.secretEnv) signingSecret = fromEnv(env, webhook.secretEnv, "signing secret");
  else if (webhook.secretFile) {
    signingSecret = secretFromFile(webhook.secretFile, "webhook secret").trim();
    if (!signingSecret) throw usageError(`the webhook secret file ${webhook.secretFile} is empty`);
  }
  const apiKey = webhook.apiKeyEnv ? fromEnv(env, webhook.apiKeyEnv, "API key") : undefined;
  return {
    url: webhook.url,
    allowPrivateTargets: webhook.allowPrivateTargets === true,
    ...(signingSecret ? { signingSecret } : {}),
    ...(apiKey ? { headers: { "x-api-key": apiKey } } : {}),
  };
}

/** A running forwarder of a long-running command. */
export interface RunningWebhook {
  readonly forwarder: WebhookForwarder;
  stop(): Promise<void>;
}

/**
 * Starts forwarding new and changed alerts from `store` to the configured
 * webhook every `intervalSec` (nothing when none is configured). Secrets are
 * resolved here, so a missing variable fails the command at start. Each pass
 * that delivered something or failed is told to `onPass` (one line, no secret).
 */
export function startConfiguredWebhook(
  webhook: WebhookConfig | undefined,
  env: NodeJS.ProcessEnv,
  store: Store,
  onPass?: (result: WebhookPassResult) => void,
): RunningWebhook | undefined {
  if (!webhook) return undefined;
  const forwarder = createWebhookForwarder({ store, ...resolveWebhook(webhook, env) });
  forwarder.start((webhook.intervalSec ?? 10) * 1000, (r) => {
    if (r.delivered > 0 || r.failed) onPass?.(r);
  });
  return { forwarder, stop: () => forwarder.stop() };
}

/** The one-line note a command prints about a pass. */
export function webhookPassLine(r: WebhookPassResult): string {
  return r.failed
    ? `webhook: ${r.delivered} alert(s) delivered, then ${r.failed.tenantId}/${r.failed.alertId} failed (${r.failed.error}); the next pass retries it`
    : `webhook: ${r.delivered} alert(s) delivered`;
}
