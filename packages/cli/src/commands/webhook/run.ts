/**
 * `mde-partner webhook set|show|clear`: where the long-running commands
 * (`sync --watch`, `worker`, `serve`) forward new and changed alerts. The
 * config keeps the URL and references (an environment variable's name, a
 * file path) — never the signing secret or the API key themselves.
 */
import { absolutePath, loadConfig, saveConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { auditedOutsideStore } from "../../cli-audit.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { type WebhookConfig, webhookConfigProblem } from "../../webhook-config.js";

export interface WebhookSetOptions extends OutputOptions {
  secretEnv?: string;
  secretFile?: string;
  apiKeyEnv?: string;
  allowPrivate?: boolean;
  interval?: string;
}

function describe(w: WebhookConfig): string[] {
  return [
    `  url        ${w.url}`,
    `  signature  ${w.secretEnv ? `secret from $${w.secretEnv}` : w.secretFile ? `secret from ${w.secretFile}` : "none (unsigned)"}`,
    `  api key    ${w.apiKeyEnv ? `x-api-key from $${w.apiKeyEnv}` : "none"}`,
    `  targets    ${w.allowPrivateTargets ? "private and link-local addresses allowed" : "public addresses (and loopback literals) only"}`,
    `  every      ${w.intervalSec ?? 10}s`,
  ];
}

/** The receiver as the audit log names it: no query, fragment or userinfo. */
function auditedUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return value.slice(0, 200);
  }
}

/** Stores the webhook in config.json after checking the URL against the target policy. */
export async function runWebhookSet(url: string, options: WebhookSetOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  if (options.secretEnv !== undefined && options.secretFile !== undefined) throw usageError("use either --secret-env or --secret-file");
  const webhook: WebhookConfig = {
    url,
    ...(options.secretEnv !== undefined ? { secretEnv: options.secretEnv } : {}),
    ...(options.secretFile !== undefined ? { secretFile: absolutePath(options.secretFile) } : {}),
    ...(options.apiKeyEnv !== undefined ? { apiKeyEnv: options.apiKeyEnv } : {}),
    ...(options.allowPrivate ? { allowPrivateTargets: true } : {}),
    ...(options.interval !== undefined ? { intervalSec: Math.round(parseDuration("--interval", options.interval, { minMs: 1000 }) / 1000) } : {}),
  };
  // The audit keeps the receiver without its query (where a token may ride) and no secret, only references.
  const file = await auditedOutsideStore(
    ctx,
    { action: "webhook.set", target: auditedUrl(url), request: { ...webhook, url: auditedUrl(url) } },
    () => {
      const problem = webhookConfigProblem(webhook);
      if (problem) {
        throw usageError(
          `the webhook is not valid: ${problem}`,
          "use an https URL of your receiver (http only for 127.0.0.1/localhost); --allow-private for a receiver in your own network",
        );
      }
      return saveConfig(ctx.home, { ...config, webhook });
    },
    () => "config.json written",
    config.storeUrl,
  );
  if (out.mode !== "table") out.json({ configFile: file, webhook });
  else {
    out.line(`wrote ${file}`);
    for (const l of describe(webhook)) out.line(l);
    out.note("sync --watch, worker and serve forward new and changed alerts to it");
  }
  return EXIT.ok;
}

/** Prints the configured webhook (references only: nothing secret is stored). */
export async function runWebhookShow(options: OutputOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const webhook = loadConfig(ctx.home).webhook;
  if (out.mode !== "table") out.json({ webhook: webhook ?? null });
  else if (!webhook) out.note("no webhook is configured: mde-partner webhook set <url>");
  else for (const l of describe(webhook)) out.line(l);
  return EXIT.ok;
}

/** Removes the webhook from config.json. */
export async function runWebhookClear(options: OutputOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const { webhook, ...rest } = loadConfig(ctx.home);
  await auditedOutsideStore(
    ctx,
    { action: "webhook.clear", target: webhook ? auditedUrl(webhook.url) : null },
    () => (webhook ? saveConfig(ctx.home, rest) : undefined),
    () => (webhook ? "removed" : "none was configured"),
    rest.storeUrl,
  );
  if (out.mode !== "table") out.json({ removed: webhook !== undefined });
  else out.note(webhook ? "webhook removed" : "no webhook was configured");
  return EXIT.ok;
}
