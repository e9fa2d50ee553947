/**
 * `report --monthly --email-to …`: each customer's report file sent as an attachment once it is
 * written, through the notification engine's SMTP transport (one owner of SMTP: STARTTLS
 * required, the server's certificate checked, a password only by reference). A file that was
 * sent gets a marker beside it (`.NAME.sent`, hidden so a folder shared as it is shows reports
 * only), and a file with a marker is not sent again; one without (its send failed, or it was
 * written before mail was configured) is sent on the next run.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { checkDestination, escapeHtml, NotifyDeliveryError, type SmtpDestination, sendMail } from "@mde-partner/sync";
import { absolutePath } from "../../config.js";
import { usageError } from "../../errors.js";
import { secretFromEnv, secretFromFile } from "../../secret-reference.js";

/** The flags of the mail part of `report`. */
export interface ReportMailOptions {
  emailTo?: string[];
  smtp?: string;
  smtpUser?: string;
  smtpPasswordEnv?: string;
  smtpPasswordFile?: string;
  smtpFrom?: string;
  caFile?: string;
}

/** Mail settings checked once, at the edge; the password is read here and kept in memory only. */
export interface ReportMailer {
  /** Recipients, for notes (addresses, nothing secret). */
  readonly to: readonly string[];
  /** True when `file` was sent before (its marker exists). */
  wasSent(file: string): boolean;
  /** Sends `file` to the recipients and leaves its marker. Throws a `NotifyDeliveryError` when the server refuses or cannot be reached. */
  send(file: string, about: { readonly customer: string; readonly month: string; readonly from: string; readonly to: string }): Promise<void>;
}

const SERVER = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/;

/** `--email-to` values as one list: repeated, comma-separated, or both. */
function recipients(values: readonly string[]): string[] {
  return [...new Set(values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== ""))];
}

/** The marker that says `file` was mailed. */
export function sentMarker(file: string): string {
  return join(dirname(file), `.${basename(file)}.sent`);
}

/** A one-line mail subject from tenant data: no control characters, bounded. */
function headerText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 120);
}

/**
 * Checks the mail flags and reads the password; undefined when `--email-to` is not given (and
 * then no other mail flag may be). Caller mistakes are usage errors (exit 2).
 *
 * @example
 * const mailer = createReportMailer({ emailTo: ["soc@example.com"], smtp: "mail.example.com:587", smtpUser: "reports", smtpPasswordEnv: "SMTP_PASSWORD" }, process.env);
 */
export function createReportMailer(
  options: ReportMailOptions,
  env: NodeJS.ProcessEnv,
  write: (file: string, text: string) => void,
  now: () => number = Date.now,
): ReportMailer | undefined {
  const given = (["smtp", "smtpUser", "smtpPasswordEnv", "smtpPasswordFile", "smtpFrom", "caFile"] as const).filter((k) => options[k] !== undefined);
  if (!options.emailTo?.length) {
    if (given.length) throw usageError("the SMTP flags go with --email-to ADDRESS[,ADDRESS]");
    return undefined;
  }
  const to = recipients(options.emailTo);
  if (to.length === 0) throw usageError("--email-to needs at least one address");
  if (to.length > 50) throw usageError("--email-to takes at most 50 addresses");
  if (options.smtp === undefined) throw usageError("--email-to needs the mail server: --smtp HOST:PORT (STARTTLS required; port 465: TLS)");
  const server = SERVER.exec(options.smtp);
  if (!server) throw usageError(`--smtp must be HOST:PORT, got ${JSON.stringify(options.smtp)}`);
  if (options.smtpPasswordEnv !== undefined && options.smtpPasswordFile !== undefined) throw usageError("give the SMTP password one way: --smtp-password-env VAR or --smtp-password-file FILE");
  const hasPassword = options.smtpPasswordEnv !== undefined || options.smtpPasswordFile !== undefined;
  if (hasPassword && options.smtpUser === undefined) throw usageError("an SMTP password needs a user name (--smtp-user)");
  const from = options.smtpFrom ?? (options.smtpUser?.includes("@") ? options.smtpUser : undefined);
  if (from === undefined) throw usageError("name the sender: --smtp-from ADDRESS");
  const caFile = options.caFile !== undefined ? absolutePath(options.caFile) : undefined;

  // The notification engine's checks of an email destination, once per recipient. The server is
  // the operator's own, named on this command line (often a relay on this host or network), not
  // a target stored where someone else could set it: private and loopback addresses are allowed.
  let destination: SmtpDestination | undefined;
  for (const address of to) {
    try {
      destination = checkDestination({
        kind: "smtp",
        to: address,
        from,
        host: server[1],
        port: server[2] !== undefined ? Number(server[2]) : 587,
        ...(options.smtpUser !== undefined ? { user: options.smtpUser } : {}),
        ...(caFile !== undefined ? { caFile } : {}),
        allowPrivateTargets: true,
      }) as SmtpDestination;
    } catch (error) {
      throw usageError(`${(error as Error).message.replace(/ \(--smtp-server HOST:PORT\)/, " (--smtp HOST:PORT)")}`);
    }
  }
  const password =
    options.smtpPasswordEnv !== undefined
      ? secretFromEnv(env, options.smtpPasswordEnv, "SMTP password", { trim: false })
      : options.smtpPasswordFile !== undefined
        ? secretFromFile(absolutePath(options.smtpPasswordFile), "SMTP password").replace(/\r?\n$/, "")
        : undefined;
  const ca = caFile !== undefined ? secretFromFile(caFile, "SMTP CA certificate") : undefined;
  const d = destination!;

  return Object.freeze({
    to,
    wasSent: (file: string) => existsSync(sentMarker(file)),
    async send(file: string, about: { customer: string; month: string; from: string; to: string }) {
      const name = basename(file);
      const customer = headerText(about.customer);
      const text = `The security report for ${customer}, ${about.from} to ${about.to} (UTC), is attached: ${name}.`;
      // The same file and recipients give the same Message-ID, so a receiver can drop a repeat
      // (a send whose marker could not be written is sent again on the next run).
      const messageId = `<${createHash("sha256").update(`${name}\n${to.join(",")}`).digest("hex").slice(0, 32)}@mde-partner>`;
      await sendMail(
        d,
        {
          subject: `Security report: ${customer} — ${about.month}`,
          text,
          html: `<p>${escapeHtml(text)}</p>`,
          messageId,
          to,
          attachments: [{ filename: name, content: readFileSync(file), contentType: name.endsWith(".pdf") ? "application/pdf" : "text/html; charset=utf-8" }],
        },
        { ...(password !== undefined ? { password } : {}), ...(ca !== undefined ? { ca } : {}) },
      );
      write(sentMarker(file), `${JSON.stringify({ sentAt: new Date(now()).toISOString(), to, messageId })}\n`);
    },
  });
}

/** One line about a failed send: the SMTP code, never the server's whole answer or a secret. */
export function mailFailure(error: unknown): string {
  if (error instanceof NotifyDeliveryError) return `${error.message}${error.permanent ? "" : " (tried again on the next run)"}`;
  return (error as Error)?.message?.split("\n")[0] ?? String(error);
}
