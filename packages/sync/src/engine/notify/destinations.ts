/**
 * Where a rule's messages go. A destination holds addresses and secret
 * *references* (`env:NAME` or `file:/path`) — never a secret itself. Every
 * network target passes the webhook's target policy (webhook-target.ts):
 * https, plain http or TCP only to a loopback literal, never a metadata
 * service, private ranges only when allowed.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { checkWebhookUrl, classifyAddress, refusedAddress } from "../webhook-target.js";

export type DestinationKind = "webhook" | "teams" | "slack" | "smtp" | "pagerduty" | "syslog" | "splunk-hec";

export const DESTINATION_KINDS: readonly DestinationKind[] = Object.freeze(["webhook", "teams", "slack", "smtp", "pagerduty", "syslog", "splunk-hec"]);

interface Base {
  /** Stable id within the rule (kind and a hash of the target): the delivery log and dedupe keys use it. */
  readonly id: string;
  readonly allowPrivateTargets?: boolean;
}
export interface HttpDestination extends Base {
  readonly kind: "webhook" | "teams" | "slack";
  readonly url: string;
  /** webhook: reference of the HMAC secret (`X-Signature-256`). */
  readonly secretRef?: string;
}
export interface SplunkDestination extends Base {
  readonly kind: "splunk-hec";
  readonly url: string;
  readonly tokenRef: string;
}
export interface PagerDutyDestination extends Base {
  readonly kind: "pagerduty";
  readonly routingKeyRef: string;
  /** Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue). */
  readonly url?: string;
}
export interface SmtpDestination extends Base {
  readonly kind: "smtp";
  /** Recipient address. */
  readonly to: string;
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly passwordRef?: string;
  /** PEM file of the CA that signs the server's certificate (a private CA). */
  readonly caFile?: string;
}
export interface SyslogDestination extends Base {
  readonly kind: "syslog";
  /** `tcp://host:port` (loopback only) or `tls://host:port`. */
  readonly url: string;
  readonly caFile?: string;
}
export type Destination = HttpDestination | SplunkDestination | PagerDutyDestination | SmtpDestination | SyslogDestination;

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

const SECRET_REF = /^(?:env:[A-Za-z_][A-Za-z0-9_]{0,127}|file:\/.{1,1000})$/;
const EMAIL = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/** Throws unless `ref` is `env:NAME` or `file:/absolute/path`. */
export function checkSecretRef(ref: unknown, what: string): string {
  if (typeof ref !== "string" || !SECRET_REF.test(ref))
    throw new TypeError(`${what} must be a reference, env:VARIABLE or file:/absolute/path (never the secret itself)`);
  return ref;
}

const idOf = (kind: string, target: string) => `${kind}-${createHash("sha256").update(target).digest("hex").slice(0, 10)}`;

/** host:port of a `tcp://` or `tls://` syslog URL, checked against the target policy. */
export function checkSyslogUrl(value: string, allowPrivateTargets = false): { host: string; port: number; tls: boolean } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError("the syslog target must be tcp://HOST:PORT or tls://HOST:PORT");
  }
  // Nothing but host and port: lists, the console and the audit log show the target as written.
  if ((url.protocol !== "tcp:" && url.protocol !== "tls:") || !url.hostname || !url.port || url.pathname.replace(/^\/$/, "") || url.username || url.password || url.search || url.hash)
    throw new TypeError("the syslog target must be tcp://HOST:PORT or tls://HOST:PORT");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const literal = isIP(host) !== 0;
  const loopback = literal ? classifyAddress(host) === "loopback" : host === "localhost";
  if (url.protocol === "tcp:" && !loopback) throw new TypeError("plain TCP syslog is only for a listener on this machine (127.0.0.1, [::1], localhost): use tls://");
  if (literal) {
    const why = refusedAddress(host, false, { allowPrivateTargets });
    if (why) throw new TypeError(`the syslog target points at ${why}`);
  }
  return { host, port: Number(url.port), tls: url.protocol === "tls:" };
}

function checkUrl(value: unknown, allowPrivateTargets: boolean, what: string): string {
  if (typeof value !== "string") throw new TypeError(`${what} needs a URL`);
  try {
    return checkWebhookUrl(value, { allowPrivateTargets }).href;
  } catch (error) {
    throw new TypeError(`${what}: ${(error as Error).message}`);
  }
}

/** Validates one destination (stored or given); returns a frozen copy with its id. */
export function checkDestination(input: unknown): Destination {
  if (!input || typeof input !== "object") throw new TypeError("a destination must be an object");
  const d = input as Record<string, unknown>;
  const allowPrivateTargets = d.allowPrivateTargets === true;
  const common = allowPrivateTargets ? { allowPrivateTargets } : {};
  switch (d.kind) {
    case "webhook":
    case "teams":
    case "slack": {
      const url = checkUrl(d.url, allowPrivateTargets, `the ${d.kind} destination`);
      const secretRef = d.secretRef !== undefined ? checkSecretRef(d.secretRef, "the signing secret") : undefined;
      return Object.freeze({ kind: d.kind, id: idOf(d.kind, url), url, ...(secretRef ? { secretRef } : {}), ...common });
    }
    case "splunk-hec": {
      const url = checkUrl(d.url, allowPrivateTargets, "the Splunk HEC destination");
      return Object.freeze({ kind: d.kind, id: idOf(d.kind, url), url, tokenRef: checkSecretRef(d.tokenRef, "the Splunk HEC token"), ...common });
    }
    case "pagerduty": {
      const routingKeyRef = checkSecretRef(d.routingKeyRef, "the PagerDuty routing key");
      const url = d.url !== undefined ? checkUrl(d.url, allowPrivateTargets, "the PagerDuty URL") : undefined;
      return Object.freeze({ kind: d.kind, id: idOf(d.kind, `${url ?? ""} ${routingKeyRef}`), routingKeyRef, ...(url ? { url } : {}), ...common });
    }
    case "smtp": {
      if (typeof d.to !== "string" || !EMAIL.test(d.to)) throw new TypeError("the email destination needs a recipient address");
      if (typeof d.from !== "string" || !EMAIL.test(d.from)) throw new TypeError("the email destination needs a sender address (--smtp-from)");
      if (typeof d.host !== "string" || !/^[A-Za-z0-9.:[\]-]{1,253}$/.test(d.host)) throw new TypeError("the email destination needs an SMTP server (--smtp-server HOST:PORT)");
      const port = d.port;
      if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535) throw new TypeError("the SMTP port must be 1 to 65535");
      const host = d.host.replace(/^\[|\]$/g, "");
      if (isIP(host)) {
        const why = refusedAddress(host, false, { allowPrivateTargets });
        if (why) throw new TypeError(`the SMTP server is ${why}`);
      }
      if (d.user !== undefined && (typeof d.user !== "string" || d.user.length === 0 || d.user.length > 256)) throw new TypeError("the SMTP user name is not valid");
      const passwordRef = d.passwordRef !== undefined ? checkSecretRef(d.passwordRef, "the SMTP password") : undefined;
      if (passwordRef && d.user === undefined) throw new TypeError("an SMTP password needs a user name (--smtp-user)");
      if (d.caFile !== undefined && (typeof d.caFile !== "string" || !d.caFile.startsWith("/"))) throw new TypeError("the SMTP CA file must be an absolute path");
      return Object.freeze({
        kind: "smtp",
        id: idOf("smtp", `${d.to} ${host}:${port}`),
        to: d.to,
        from: d.from,
        host,
        port: port as number,
        ...(d.user !== undefined ? { user: d.user as string } : {}),
        ...(passwordRef ? { passwordRef } : {}),
        ...(d.caFile !== undefined ? { caFile: d.caFile as string } : {}),
        ...common,
      });
    }
    case "syslog": {
      if (typeof d.url !== "string") throw new TypeError("the syslog destination needs tcp://HOST:PORT or tls://HOST:PORT");
      checkSyslogUrl(d.url, allowPrivateTargets);
      if (d.caFile !== undefined && (typeof d.caFile !== "string" || !d.caFile.startsWith("/"))) throw new TypeError("the syslog CA file must be an absolute path");
      return Object.freeze({ kind: "syslog", id: idOf("syslog", d.url), url: d.url, ...(d.caFile !== undefined ? { caFile: d.caFile as string } : {}), ...common });
    }
    default:
      throw new TypeError(`a destination kind must be one of ${DESTINATION_KINDS.join(", ")}`);
  }
}

/** Options that complete a `--to KIND:TARGET` spec. */
export interface DestinationSpecOptions {
  readonly secretRef?: string;
  readonly splunkTokenRef?: string;
  readonly pagerdutyUrl?: string;
  readonly smtpServer?: string;
  readonly smtpFrom?: string;
  readonly smtpUser?: string;
  readonly smtpPasswordRef?: string;
  readonly caFile?: string;
  readonly allowPrivateTargets?: boolean;
}

/**
 * A destination from the CLI's `KIND:TARGET` form (`slack:https://…`,
 * `pagerduty:env:PD_KEY`, `smtp:soc@example.com`, `syslog:tls://siem:6514`).
 *
 * @example parseDestinationSpec("teams:https://example.webhook.office.com/…")
 */
export function parseDestinationSpec(spec: string, options: DestinationSpecOptions = {}): Destination {
  const colon = spec.indexOf(":");
  const kind = colon > 0 ? spec.slice(0, colon) : "";
  const target = spec.slice(colon + 1);
  const common = options.allowPrivateTargets ? { allowPrivateTargets: true } : {};
  switch (kind) {
    case "webhook":
    case "teams":
    case "slack":
      return checkDestination({ kind, url: target, ...(kind === "webhook" && options.secretRef ? { secretRef: options.secretRef } : {}), ...common });
    case "splunk-hec":
      return checkDestination({ kind, url: target, tokenRef: options.splunkTokenRef, ...common });
    case "pagerduty":
      return checkDestination({ kind, routingKeyRef: target, ...(options.pagerdutyUrl ? { url: options.pagerdutyUrl } : {}), ...common });
    case "syslog":
      return checkDestination({ kind, url: target, ...(options.caFile ? { caFile: options.caFile } : {}), ...common });
    case "smtp": {
      const server = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d+))?$/.exec(options.smtpServer ?? "");
      if (!server) throw new TypeError("an email destination needs --smtp-server HOST[:PORT]");
      return checkDestination({
        kind,
        to: target,
        from: options.smtpFrom,
        host: server[1],
        port: server[2] ? Number(server[2]) : 587,
        ...(options.smtpUser !== undefined ? { user: options.smtpUser } : {}),
        ...(options.smtpPasswordRef !== undefined ? { passwordRef: options.smtpPasswordRef } : {}),
        ...(options.caFile ? { caFile: options.caFile } : {}),
        ...common,
      });
    }
    default:
      throw new TypeError(`--to must be KIND:TARGET with KIND one of ${DESTINATION_KINDS.join(", ")}`);
  }
}

/** A destination as lists and the console show it: no URL path or query (a Slack or Teams URL is itself a credential). */
export function describeDestination(d: Destination): string {
  const origin = (u: string) => {
    try {
      return new URL(u).origin;
    } catch {
      return "?";
    }
  };
  switch (d.kind) {
    case "webhook":
    case "teams":
    case "slack":
    case "splunk-hec":
      return `${d.kind} ${origin(d.url)}/…`;
    case "pagerduty":
      return `pagerduty ${d.url ? origin(d.url) : "events.pagerduty.com"} (key ${d.routingKeyRef.split(":")[0]}:…)`;
    case "smtp":
      return `email ${d.to} via ${d.host}:${d.port}`;
    case "syslog":
      return `syslog ${d.url}`;
  }
}
