/** `mde-partner alerts`: alerts of customer tenants, live from the API. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, concurrencyFlag, type Flags, OUTPUT_FLAGS, STREAM_OUTPUT_FLAGS, TENANT_FLAGS } from "../../flags.js";
import type { OutputFlags } from "../../output/output.js";
import type { AlertsListOptions, AlertsUpdateOptions } from "./run.js";

const LIST = {
  ...TENANT_FLAGS,
  filter: { flags: "--filter <odata>", description: "raw OData $filter, e.g. \"status eq 'New'\"" },
  severity: {
    flags: "--severity <level>",
    description: "UnSpecified, Informational, Low, Medium, High (repeat or comma-separate)",
    parse: collect,
  },
  status: { flags: "--status <status>", description: "New, InProgress, Resolved (repeat or comma-separate)", parse: collect },
  since: { flags: "--since <time>", description: "updated since an ISO time or a duration (24h, 7d)" },
  top: { flags: "--top <n>", description: "at most N alerts per tenant" },
  ...concurrencyFlag("4"),
  ...STREAM_OUTPUT_FLAGS,
} satisfies Flags<AlertsListOptions>;

const UPDATE = {
  status: { flags: "--status <status>", description: "New, InProgress, Resolved" },
  assign: { flags: "--assign <user>", description: "assign to a user" },
  classification: { flags: "--classification <c>", description: "TruePositive, InformationalExpectedActivity, FalsePositive" },
  determination: { flags: "--determination <d>", description: "Malware, Phishing, SecurityTesting, …" },
  comment: { flags: "--comment <text>", description: "add a comment" },
  ...OUTPUT_FLAGS,
} satisfies Flags<AlertsUpdateOptions>;

export function register(alerts: Command, wiring: Wiring): void {
  addFlags(alerts.command("list").description("every matching alert of the tenants, each with its tenant id"), LIST).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: AlertsListOptions) => m.runAlertsList(options, ctx)));
  addFlags(alerts.command("get").argument("<tenant-id>").argument("<alert-id>"), STREAM_OUTPUT_FLAGS).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, alertId: string, options: OutputFlags) => m.runAlertsGet(tenantId, alertId, options, ctx)));
  addFlags(alerts.command("update").argument("<tenant-id>").argument("<alert-id>"), UPDATE).action(lazyAction(wiring, () => import("./run.js"), (m, ctx, tenantId: string, alertId: string, options: AlertsUpdateOptions) => m.runAlertsUpdate(tenantId, alertId, options, ctx)));
  addFlags(
    alerts
      .command("related")
      .description("an alert's machine, user, files, IPs and domains in one view (a relation that cannot be read is reported, the others shown)")
      .argument("<tenant-id>")
      .argument("<alert-id>"),
    STREAM_OUTPUT_FLAGS,
  ).action(lazyAction(wiring, () => import("./related.js"), (m, ctx, tenantId: string, alertId: string, options: OutputFlags) => m.runAlertsRelated(tenantId, alertId, options, ctx)));
}
