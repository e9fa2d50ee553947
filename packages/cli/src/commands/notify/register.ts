/** `mde-partner notify`: notification rules — which alerts reach whom, and how. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, DB_FLAG, type Flags, OUTPUT_FLAGS } from "../../flags.js";
import type { OutputOptions } from "../../output/output.js";
import type { NotifyAddOptions } from "./run.js";

type Db = { db?: string };

const ADD = {
  name: { flags: "--name <name>", description: 'rule name: letters, digits, ".", "_", "-"', mandatory: true },
  to: {
    flags: "--to <destination>",
    description:
      "where messages go (repeat): webhook:URL, teams:URL, slack:URL, smtp:ADDRESS, pagerduty:KEY-REF, syslog:tcp://HOST:PORT or syslog:tls://HOST:PORT, splunk-hec:URL",
    parse: collect,
  },
  minSeverity: { flags: "--min-severity <severity>", description: "lowest severity matched", choices: ["Informational", "Low", "Medium", "High"] },
  group: { flags: "--group <name>", description: "only alerts of this customer group's tenants" },
  tenant: { flags: "--tenant <id>", description: "only alerts of these tenants (repeat, or comma-separate)", parse: collect },
  source: { flags: "--source <name>", description: "detection or service source (repeat)", parse: collect },
  category: { flags: "--category <name>", description: "alert category (repeat)", parse: collect },
  titleContains: { flags: "--title-contains <text>", description: "the title contains this text (case-insensitive)" },
  titlePattern: { flags: "--title-pattern <regex>", description: "the title matches this regular expression (case-insensitive; no nested quantifiers)" },
  status: { flags: "--status <status>", description: "the alert's status is one of these (repeat): New, InProgress, Resolved", parse: collect },
  on: { flags: "--on <changes>", description: "which changes notify: new, status, update (repeat; default new,status)", parse: collect },
  interval: { flags: "--interval <duration>", description: "at most one message per destination per interval; more alerts become one digest (default 60s; 0s: no throttling)" },
  secretRef: { flags: "--secret-ref <ref>", description: "webhook: env:VAR or file:/path of the HMAC signing secret (X-Signature-256)" },
  splunkTokenRef: { flags: "--splunk-token-ref <ref>", description: "splunk-hec: env:VAR or file:/path of the HEC token" },
  pagerdutyUrl: { flags: "--pagerduty-url <url>", description: "pagerduty: Events API v2 URL (default https://events.pagerduty.com/v2/enqueue)" },
  smtpServer: { flags: "--smtp-server <host:port>", description: "smtp: the mail server (STARTTLS required; port 465: TLS)" },
  smtpFrom: { flags: "--smtp-from <address>", description: "smtp: sender address" },
  smtpUser: { flags: "--smtp-user <name>", description: "smtp: user name" },
  smtpPasswordRef: { flags: "--smtp-password-ref <ref>", description: "smtp: env:VAR or file:/path of the password" },
  caFile: { flags: "--ca-file <pem>", description: "smtp, syslog over TLS: CA certificate of a private CA" },
  allowPrivate: { flags: "--allow-private", description: "allow destinations at private and link-local addresses (never cloud metadata)" },
  ...DB_FLAG,
  ...OUTPUT_FLAGS,
} satisfies Flags<NotifyAddOptions>;

export function register(notify: Command, wiring: Wiring): void {
  addFlags(notify.command("add").description("add a rule: alerts that arrive or change from now on and match it are sent to its destinations"), ADD).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: NotifyAddOptions) => m.runNotifyAdd(options, ctx)),
  );
  addFlags(notify.command("list").description("the rules, their destinations and the last delivery to each"), { ...DB_FLAG, ...OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, options: OutputOptions & Db) => m.runNotifyList(options, ctx)),
  );
  addFlags(notify.command("test").description("send a test message to every destination of a rule now").argument("<name>"), { ...DB_FLAG, ...OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, options: OutputOptions & Db) => m.runNotifyTest(name, options, ctx)),
  );
  addFlags(notify.command("remove").description("remove a rule (its delivery log stays)").argument("<name>"), { ...DB_FLAG, ...OUTPUT_FLAGS }).action(
    lazyAction(wiring, () => import("./run.js"), (m, ctx, name: string, options: OutputOptions & Db) => m.runNotifyRemove(name, options, ctx)),
  );
}
