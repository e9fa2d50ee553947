/**
 * Messages in each destination's format. Everything taken from an alert
 * (title, machine name, category…) is written by whoever controls the
 * customer's tenant, so it is treated as hostile: control characters become
 * spaces, every field is clipped, and each format gets its own escaping —
 * HTML for email, `&<>` entities for Slack mrkdwn (so no `<!channel>` or
 * `<url|link>` can be injected), backslashes for Teams' markdown, the CEF
 * rules for header and extension values.
 */
import type { StoredAlert } from "../../store/index.js";
import type { NotifyChange } from "./rule.js";

/** What a message says about one alert (bounded). */
export interface AlertSummary {
  readonly tenantId: string;
  readonly alertId: string;
  readonly title: string;
  readonly severity: string;
  readonly status: string;
  readonly category: string;
  readonly source: string;
  readonly machine: string;
  readonly change: NotifyChange;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What every destination renders. */
export interface MessageBody {
  readonly kind: "alert" | "digest" | "test";
  /** Alerts this message stands for (a digest lists the first few). */
  readonly total: number;
  readonly alerts: readonly AlertSummary[];
}

/** The message as handed to a format: the body plus rule and key. */
export interface Message extends MessageBody {
  readonly rule: string;
  readonly dedupeKey: string;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Tenant text made safe to place anywhere: no control or bidi characters, at most `max` characters. */
export function clean(value: unknown, max = 256): string {
  const s = typeof value === "string" ? value.replace(CONTROL, " ") : "";
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The bounded summary of an alert version, taken when the rule matches it. */
export function summarize(alert: StoredAlert, change: NotifyChange): AlertSummary {
  const p = alert.payload as Record<string, unknown>;
  return {
    tenantId: alert.tenantId,
    alertId: clean(alert.id, 128),
    title: clean(alert.title, 300),
    severity: clean(alert.severity, 32),
    status: clean(alert.status, 32),
    category: clean(p.category, 64),
    source: clean(p.detectionSource, 64),
    machine: clean(p.computerDnsName, 255),
    change,
    createdAt: clean(alert.alertCreationTime, 40),
    updatedAt: clean(alert.lastUpdateTime, 40),
  };
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Slack: only `&`, `<` and `>` are control characters of its text format (docs: "Escaping text"). */
export const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/**
 * Teams TextBlock markdown (Adaptive Cards' subset: emphasis, links, lists): its metacharacters
 * backslash-escaped, so tenant text cannot make a link or change emphasis. List markers only
 * count at the start of a line, and every line starts with our own text.
 */
export const escapeTeams = (s: string) => s.replace(/[\\`*_[\]()#|<>~]/g, (c) => `\\${c}`);
/** CEF header fields: backslash and pipe escaped. */
export const escapeCefHeader = (s: string) => clean(s, 512).replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
/** CEF extension values: backslash and equals escaped (newlines are gone already). */
export const escapeCefValue = (s: string) => clean(s, 1023).replace(/\\/g, "\\\\").replace(/=/g, "\\=");

/** The message's one-line headline (plain text; escape per format). */
export function headline(m: Message): string {
  if (m.kind === "test") return `Test message of notification rule ${m.rule}`;
  const a = m.alerts[0];
  if (m.kind === "alert" && a) return `[${a.severity || "Unknown"}] ${a.title || "(untitled alert)"}`;
  return `${m.total} alerts matched notification rule ${m.rule}`;
}

const line = (a: AlertSummary) =>
  `${a.severity || "?"} · ${a.title || "(untitled)"} · ${a.machine || "no device"} · tenant ${a.tenantId} · alert ${a.alertId} · ${a.status || "?"} (${a.change})`;

/** Lines after the headline, for plain-text formats. */
export function detailLines(m: Message): string[] {
  const out = m.alerts.map(line);
  if (m.total > m.alerts.length) out.push(`… and ${m.total - m.alerts.length} more`);
  return out;
}

/** Generic webhook JSON (the receiver parses JSON; escaping is JSON's). */
export function webhookJson(m: Message): string {
  return JSON.stringify({ idempotencyKey: m.dedupeKey, rule: m.rule, kind: m.kind, total: m.total, alerts: m.alerts });
}

/**
 * Slack incoming webhook: a fallback `text` and Block Kit sections in mrkdwn. Every mrkdwn object
 * is `verbatim`: without it Slack itself turns plain text into links and mentions ("URLs will be
 * auto-converted into links, conversation names will be link-ified, and certain mentions will be
 * automatically parsed"), which escaping `&<>` does not stop — a title saying `@here` or
 * `#general` or `evil.example/login` would page the channel or show a link.
 */
export function slackJson(m: Message): string {
  const head = escapeSlack(headline(m));
  const blocks: unknown[] = [{ type: "header", text: { type: "plain_text", text: clean(headline(m), 150), emoji: false } }];
  for (const l of detailLines(m).slice(0, 40)) blocks.push({ type: "section", text: { type: "mrkdwn", text: escapeSlack(l).slice(0, 2900), verbatim: true } });
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `rule ${escapeSlack(m.rule)} · key ${escapeSlack(m.dedupeKey)}`, verbatim: true }] });
  return JSON.stringify({ text: head, blocks });
}

/** Teams (Workflows "post to a channel when a webhook request is received", or an incoming webhook): an Adaptive Card. */
export function teamsJson(m: Message): string {
  const body: unknown[] = [{ type: "TextBlock", size: "Medium", weight: "Bolder", wrap: true, text: escapeTeams(headline(m)) }];
  for (const l of detailLines(m).slice(0, 40)) body.push({ type: "TextBlock", wrap: true, text: escapeTeams(l) });
  body.push({ type: "TextBlock", isSubtle: true, size: "Small", wrap: true, text: escapeTeams(`rule ${m.rule} · key ${m.dedupeKey}`) });
  return JSON.stringify({
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body },
      },
    ],
  });
}

const PD_SEVERITY: Record<string, string> = { High: "critical", Medium: "error", Low: "warning" };

/** PagerDuty Events API v2 `trigger`; the dedupe key becomes `dedup_key`. */
export function pagerDutyJson(m: Message, routingKey: string): string {
  const order = ["High", "Medium", "Low"];
  const ranks = m.alerts.map((a) => order.indexOf(a.severity)).filter((i) => i >= 0);
  const worst = ranks.length > 0 ? order[Math.min(...ranks)]! : "";
  return JSON.stringify({
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: m.dedupeKey.slice(0, 255),
    payload: {
      summary: clean(headline(m), 1024),
      source: "mde-partner",
      severity: PD_SEVERITY[worst] ?? "info",
      component: m.alerts[0]?.machine || undefined,
      group: m.alerts[0]?.tenantId,
      class: m.alerts[0]?.category || undefined,
      custom_details: { rule: m.rule, kind: m.kind, total: m.total, alerts: m.alerts },
    },
  });
}

/** Splunk HTTP Event Collector event. */
export function splunkJson(m: Message, nowMs: number): string {
  return JSON.stringify({
    time: nowMs / 1000,
    source: "mde-partner",
    sourcetype: "mde-partner:notification",
    event: { idempotencyKey: m.dedupeKey, rule: m.rule, kind: m.kind, total: m.total, alerts: m.alerts },
  });
}

/** Email: subject, plain text and HTML (every tenant string HTML-escaped). */
export function emailParts(m: Message): { subject: string; text: string; html: string } {
  const subject = clean(`MDE: ${headline(m)}`, 200);
  const text = [headline(m), "", ...detailLines(m), "", `rule ${m.rule} · key ${m.dedupeKey}`].join("\n");
  const rows = m.alerts
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.severity)}</td><td>${escapeHtml(a.title)}</td><td>${escapeHtml(a.machine)}</td><td>${escapeHtml(a.tenantId)}</td><td>${escapeHtml(a.status)}</td><td>${escapeHtml(a.change)}</td></tr>`,
    )
    .join("");
  const more = m.total > m.alerts.length ? `<p>… and ${m.total - m.alerts.length} more</p>` : "";
  const html = `<!doctype html><html><body><h2>${escapeHtml(headline(m))}</h2><table border="1" cellpadding="4"><tr><th>Severity</th><th>Title</th><th>Device</th><th>Tenant</th><th>Status</th><th>Change</th></tr>${rows}</table>${more}<p style="color:#666">rule ${escapeHtml(m.rule)} · key ${escapeHtml(m.dedupeKey)}</p></body></html>`;
  return { subject, text, html };
}

const CEF_SEVERITY: Record<string, number> = { High: 8, Medium: 5, Low: 3, Informational: 1 };

/**
 * RFC 5424 syslog message carrying CEF (facility local4; severity from the
 * alert), without framing. Header fields are ours and printable; the MSG is
 * the CEF record, bounded to `max` bytes.
 */
export function syslogCef(m: Message, nowMs: number, hostname: string, max = 8192): string {
  const a = m.alerts[0];
  const sev = m.kind === "alert" && a ? (CEF_SEVERITY[a.severity] ?? 1) : Math.max(1, ...m.alerts.map((x) => CEF_SEVERITY[x.severity] ?? 1));
  const syslogSeverity = sev >= 8 ? 2 : sev >= 5 ? 3 : sev >= 3 ? 4 : 6;
  const pri = 20 * 8 + syslogSeverity;
  const ext: Array<[string, string]> = [
    ["externalId", m.dedupeKey],
    ["cs1Label", "rule"],
    ["cs1", m.rule],
    ["cnt", String(m.total)],
  ];
  if (a) {
    ext.push(["cs2Label", "tenantId"], ["cs2", a.tenantId], ["cs3Label", "alertId"], ["cs3", a.alertId], ["dhost", a.machine], ["cat", a.category], ["outcome", a.status], ["msg", a.title]);
  }
  const signature = m.kind === "digest" ? "digest" : m.kind === "test" ? "test" : escapeCefHeader(a?.category || "alert");
  const cef = `CEF:0|mde-partner|mde-partner|1.0|${signature}|${escapeCefHeader(headline(m))}|${sev}|${ext
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${escapeCefValue(v)}`)
    .join(" ")}`;
  const host = hostname.replace(/[^\x21-\x7e]/g, "").slice(0, 255) || "-";
  const header = `<${pri}>1 ${new Date(nowMs).toISOString()} ${host} mde-partner - ${m.kind} - `;
  let out = header + cef;
  while (Buffer.byteLength(out) > max) out = out.slice(0, out.length - Math.max(1, Buffer.byteLength(out) - max));
  return out;
}
