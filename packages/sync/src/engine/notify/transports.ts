/**
 * How a rendered message travels (and, for SMTP, how `report --monthly --email-to` mails a
 * customer's report: one owner of SMTP): HTTP POST (through the webhook's guarded
 * client: connect-time address check, no redirects followed), SMTP with
 * STARTTLS required (nodemailer, connecting to an address that passed the
 * target policy), and syslog over TCP or TLS with octet-counting framing
 * (RFC 6587 §3.4.1, the framing RFC 5425 requires over TLS).
 */
import { connect as netConnect, isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { WebhookSend } from "../webhook-http.js";
import { guardedLookup, refusedAddress, type ResolveAll, systemResolveAll, WebhookTargetError } from "../webhook-target.js";
import { checkSyslogUrl, type SmtpDestination, type SyslogDestination } from "./destinations.js";

/** A delivery failure; `permanent` ones (configuration, 4xx) are not retried. */
export class NotifyDeliveryError extends Error {
  readonly code = "ERR_NOTIFY_DELIVERY";
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotifyDeliveryError";
    this.permanent = permanent;
  }
}

function isTargetError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WebhookTargetError) return true;
  }
  return false;
}

/** One POST; 2xx is delivered, 408/429/5xx and network failures are retried, the rest are permanent. */
export async function postJson(send: WebhookSend, url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<void> {
  let status: number;
  let answer = "";
  try {
    const res = await send(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, redirect: "manual", ...(signal ? { signal } : {}) });
    status = res.status;
    answer = await res.text().catch(() => "");
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new NotifyDeliveryError((error as Error).message, isTargetError(error), { cause: error });
  }
  if (status >= 200 && status < 300) return;
  const retry = status === 408 || status === 429 || status >= 500;
  // The answer is the receiver's (it may echo what we sent): only its length and status are kept.
  throw new NotifyDeliveryError(`HTTP ${status}${status >= 300 && status < 400 ? " (redirects are not followed)" : ""}${answer ? ` (${answer.length} bytes)` : ""}`, !retry);
}

/** Resolves `host` and returns the first address the policy accepts (the one to connect to). */
async function checkedAddress(host: string, allowPrivateTargets: boolean, resolveAll: ResolveAll): Promise<string> {
  if (isIP(host)) {
    const why = refusedAddress(host, false, { allowPrivateTargets });
    if (why) throw new NotifyDeliveryError(`the server is ${why}`, true);
    return host;
  }
  const local = host === "localhost";
  const addresses = await resolveAll(host).catch((error: Error) => {
    throw new NotifyDeliveryError(`cannot resolve ${host}: ${error.message}`, false);
  });
  for (const a of addresses) {
    if (local || !refusedAddress(a.address, true, { allowPrivateTargets })) return a.address;
  }
  throw new NotifyDeliveryError(`${host} resolves to no address the target policy allows`, true);
}

/** A file sent with a mail (a customer report). */
export interface SmtpAttachment {
  readonly filename: string;
  readonly content: Uint8Array | string;
  readonly contentType: string;
}

export interface SmtpMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  /** Recipients instead of the destination's one address (a monthly report goes to several). */
  readonly to?: readonly string[];
  readonly attachments?: readonly SmtpAttachment[];
}

/** Sends one mail; STARTTLS is required (implicit TLS on port 465), the server's certificate checked against `ca` or the system CAs. */
export async function sendMail(
  d: SmtpDestination,
  mail: SmtpMail,
  secrets: { password?: string; ca?: string },
  options: { resolveAll?: ResolveAll; timeoutMs?: number } = {},
): Promise<void> {
  const address = await checkedAddress(d.host, d.allowPrivateTargets === true, options.resolveAll ?? systemResolveAll);
  // Loaded when a mail is sent: nodemailer is about 480 KB of code every command that loads the
  // engine would otherwise parse at its start (a sync with no mail destination never needs it).
  const { createTransport } = (await import("nodemailer")).default;
  const transport = createTransport({
    host: address,
    port: d.port,
    secure: d.port === 465,
    requireTLS: true,
    tls: { servername: isIP(d.host) ? undefined : d.host, ...(secrets.ca ? { ca: secrets.ca } : {}), minVersion: "TLSv1.2" },
    ...(d.user !== undefined ? { auth: { user: d.user, pass: secrets.password ?? "" } } : {}),
    connectionTimeout: options.timeoutMs ?? 30_000,
    greetingTimeout: options.timeoutMs ?? 30_000,
    socketTimeout: options.timeoutMs ?? 30_000,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({
      from: d.from,
      to: mail.to?.length ? [...mail.to] : d.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: { "X-Dedupe-Key": mail.messageId },
      ...(mail.attachments?.length
        ? { attachments: mail.attachments.map((a) => ({ filename: a.filename, content: typeof a.content === "string" ? a.content : Buffer.from(a.content), contentType: a.contentType })) }
        : {}),
    });
  } catch (error) {
    const e = error as { responseCode?: number; code?: string; message?: string };
    // 5xx answers (rejected recipient, failed authentication) and TLS failures are configuration.
    const permanent = (typeof e.responseCode === "number" && e.responseCode >= 500) || e.code === "EAUTH" || e.code === "ETLS";
    throw new NotifyDeliveryError(`SMTP: ${e.code ?? "error"}${e.responseCode ? ` ${e.responseCode}` : ""}`, permanent, { cause: error });
  } finally {
    transport.close();
  }
}

/** Writes one octet-counted syslog frame over TCP or TLS and closes the connection cleanly. */
export async function sendSyslog(
  d: SyslogDestination,
  message: string,
  secrets: { ca?: string },
  options: { resolveAll?: ResolveAll; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const { host, port, tls } = checkSyslogUrl(d.url, d.allowPrivateTargets === true);
  const lookup = guardedLookup({ allowPrivateTargets: d.allowPrivateTargets === true }, options.resolveAll ?? systemResolveAll);
  const frame = `${Buffer.byteLength(message)} ${message}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    const socket = tls
      ? tlsConnect({ host, port, lookup: lookup as never, servername: isIP(host) ? undefined : host, ...(secrets.ca ? { ca: secrets.ca } : {}), minVersion: "TLSv1.2" })
      : netConnect({ host, port, lookup: lookup as never });
    const fail = (error: Error) => {
      socket.destroy();
      reject(new NotifyDeliveryError(`syslog: ${(error as NodeJS.ErrnoException).code ?? error.message}`, isTargetError(error), { cause: error }));
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once("error", fail);
    options.signal?.addEventListener("abort", () => fail(new Error("aborted")), { once: true });
    socket.once(tls ? "secureConnect" : "connect", () => {
      socket.end(frame, () => {
        socket.setTimeout(0);
        resolve();
      });
    });
  });
}
