/** `mde-partner report`: a customer's report as HTML or PDF, once or every month. */
import type { Command } from "commander";
import { lazyAction, type Wiring } from "../../context.js";
import { addFlags, collect, DB_FLAG, type Flags, GROUP_FLAG } from "../../flags.js";
import type { ReportCommandOptions } from "./run.js";

const REPORT = {
  tenant: { flags: "--tenant <id>", description: "the customer tenant (with --monthly: repeat, or comma-separate)", parse: collect },
  ...GROUP_FLAG,
  from: { flags: "--from <date>", description: "first day, YYYY-MM-DD (UTC)" },
  to: { flags: "--to <date>", description: "last day, YYYY-MM-DD (UTC), included" },
  format: { flags: "--format <format>", description: "html or pdf (PDF is printed by Chromium)", default: "html" },
  out: { flags: "--out <file>", description: "where to write the report" },
  partnerName: { flags: "--partner-name <name>", description: "your name on the report (default: config.json report.partnerName)" },
  logo: { flags: "--logo <file>", description: "your logo, PNG or plain SVG (default: config.json report.logoFile)" },
  chromium: { flags: "--chromium <path>", description: "the Chromium that prints PDFs (default /usr/bin/chromium)" },
  monthly: { flags: "--monthly", description: "write each customer's report of the last whole month into --out-dir (skipped when its file exists)" },
  outDir: { flags: "--out-dir <dir>", description: "with --monthly: the folder the reports go to" },
  watch: { flags: "--watch", description: "with --monthly: keep running and write each month's reports when the month ends" },
  emailTo: { flags: "--email-to <addresses>", description: "with --monthly: mail each report to these addresses (comma-separated or repeated), once", parse: collect },
  smtp: { flags: "--smtp <host:port>", description: "with --email-to: the mail server (STARTTLS required; port 465: TLS)" },
  smtpUser: { flags: "--smtp-user <name>", description: "with --email-to: SMTP user name" },
  smtpPasswordEnv: { flags: "--smtp-password-env <var>", description: "with --smtp-user: the environment variable holding the SMTP password" },
  smtpPasswordFile: { flags: "--smtp-password-file <file>", description: "with --smtp-user: the file holding the SMTP password" },
  smtpFrom: { flags: "--smtp-from <address>", description: "with --email-to: sender address (default --smtp-user when it is an address)" },
  caFile: { flags: "--ca-file <pem>", description: "with --email-to: CA certificate of a private CA that signs the mail server's" },
  ...DB_FLAG,
  quiet: { flags: "-q, --quiet", description: "no notes" },
} satisfies Flags<ReportCommandOptions>;

export function register(report: Command, wiring: Wiring): void {
  addFlags(report, REPORT)
    .addHelpText(
      "after",
      "\nExamples:\n  mde-partner report --tenant <id> --from 2026-11-01 --to 2026-11-30 --format pdf --out contoso.pdf\n  mde-partner report --group retail --from 2026-11-01 --to 2026-11-30 --out retail.html\n  mde-partner report --monthly --out-dir /srv/reports --format pdf --watch\n  mde-partner report --monthly --out-dir /srv/reports --format pdf --email-to soc@example.com --smtp mail.example.com:587 --smtp-user reports@example.com --smtp-password-env SMTP_PASSWORD",
    )
    .action(lazyAction(wiring, () => import("./run.js"), (m, ctx, options: ReportCommandOptions) => m.runReport(options, ctx)));
}
