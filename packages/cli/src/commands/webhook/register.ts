/** `mde-partner webhook`: where new and changed alerts are forwarded. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { OutputOptions } from "../../output/output.js";
import type { WebhookSetOptions } from "./run.js";

const SET = {
  secretEnv: { flags: "--secret-env <var>", description: "environment variable holding the HMAC signing secret (X-Signature-256)" },
  secretFile: { flags: "--secret-file <file>", description: "file holding the HMAC signing secret" },
  apiKeyEnv: { flags: "--api-key-env <var>", description: "environment variable holding the receiver's API key (sent as x-api-key)" },
  allowPrivate: { flags: "--allow-private", description: "allow private and link-local receivers (never cloud metadata addresses)" },
  interval: { flags: "--interval <duration>", description: "time between delivery passes (default 10s)" },
  ...OUTPUT_FLAGS,
} satisfies Flags<WebhookSetOptions>;

export function register(webhook: Command, wiring: Wiring): void {
  addFlags(
    webhook
      .command("set")
      .description("forward alerts to this https URL (http only for 127.0.0.1/localhost); secrets by reference only")
      .argument("<url>"),
    SET,
  ).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, url: string, options: WebhookSetOptions) => m.runWebhookSet(url, options, ctx)));
  addFlags(webhook.command("show").description("the configured webhook"), OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputOptions) => m.runWebhookShow(options, ctx)));
  addFlags(webhook.command("clear").description("stop forwarding alerts"), OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputOptions) => m.runWebhookClear(options, ctx)));
}
