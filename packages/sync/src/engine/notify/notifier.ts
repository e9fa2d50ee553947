/**
 * The rule engine: evaluates every notification rule against the alerts
 * written since it exists, and delivers the resulting messages — at least
 * once, each with a dedupe key the receiver can use to drop a repeat.
 *
 * A pass has three steps, each leaving the store consistent on its own:
 *
 * 1. **Evaluate.** Per rule, the alerts whose current version the rule has
 *    not seen (its own per-alert cursor, `notify_seen`); each match becomes an
 *    event per destination, recorded in the same transaction as the cursor.
 *    The event's dedupe key names rule, destination and alert version.
 * 2. **Compose.** Per rule and destination, the waiting events become one
 *    message — unless a message is still pending, or the last one is younger
 *    than the rule's interval (throttling). One event is an `alert` message
 *    under the event's key; more are one `digest`.
 * 3. **Deliver.** Every pending message that is due is sent; success marks it
 *    delivered, a transient failure schedules a retry with exponential
 *    backoff, a permanent one (bad configuration, a 4xx) marks it failed. A
 *    crash between sending and marking re-sends under the same key.
 */
import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import type { Clock } from "@mde-partner/client";
import type { NotifyMessageRecord, NotifyRuleRecord, Store } from "../../store/index.js";
import { createWebhookSender, type WebhookSend } from "../webhook-http.js";
import type { ResolveAll } from "../webhook-target.js";
import { type Destination, PAGERDUTY_EVENTS_URL } from "./destinations.js";
import { emailParts, type Message, type MessageBody, pagerDutyJson, slackJson, splunkJson, summarize, syslogCef, teamsJson, webhookJson } from "./format.js";
import { changeOf, checkRuleDefinition, compileRule, type RuleDefinition } from "./rule.js";
import { NotifyDeliveryError, postJson, sendMail, sendSyslog } from "./transports.js";
import { createPassLoop } from "../pass-loop.js";

/** Reads a secret reference (`env:NAME`, `file:/path`); the CLI supplies it, the library never reads `process.env`. */
export type SecretResolver = (ref: string) => string | Promise<string>;

export interface NotifierOptions {
  store: Store;
  resolveSecret: SecretResolver;
  clock?: Clock;
  /** HTTP sender (tests); default: the webhook's guarded client. The target URL rules apply either way. */
  send?: WebhookSend;
  /** Name resolution for the connect-time address checks (tests). */
  resolveAll?: ResolveAll;
  /** First retry delay (default 5 s; doubles per attempt up to `backoffMaxMs`). */
  backoffBaseMs?: number;
  /** Longest retry delay (default 5 min). */
  backoffMaxMs?: number;
  /** Time limit per delivery (default 30 s). */
  timeoutMs?: number;
  /** HOSTNAME of syslog messages (default this machine's name). */
  hostname?: string;
  /** Days the delivery log keeps delivered and failed messages (default 30). */
  logRetentionDays?: number;
  /** Random source of the retry jitter (tests). */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface NotifyPassResult {
  /** Alert versions evaluated, and how many of them matched a rule. */
  evaluated: number;
  matched: number;
  /** Messages delivered in this pass. */
  delivered: number;
  /** Deliveries that failed in this pass (retried later unless `permanent`). */
  failures: Array<{ rule: string; destination: string; error: string; permanent: boolean }>;
  /** Rules that could not be read (their definition no longer valid). */
  brokenRules: string[];
}

export interface NotifyTestResult {
  destination: string;
  ok: boolean;
  error?: string;
}

export interface Notifier {
  /** Evaluates, composes and delivers what is due, then resolves. */
  runOnce(signal?: AbortSignal): Promise<NotifyPassResult>;
  /** Sends a test message to every destination of a rule now (logged with kind `test`). */
  test(ruleName: string, signal?: AbortSignal): Promise<NotifyTestResult[]>;
  /** A pass every `intervalMs` until `stop()`. */
  start(intervalMs: number, onPass?: (r: NotifyPassResult) => void): void;
  /** Stops after the current pass; safe to call twice. */
  stop(): Promise<void>;
}

/** Alerts read per store query. */
const PAGE = 500;
/** Rows written at most this long before a pass started may still be committing then. */
const MARGIN_US = 60_000_000;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** The dedupe key of one alert version for one destination of one rule (stable across retries and restarts). */
export function notifyDedupeKey(rule: Pick<NotifyRuleRecord, "name" | "createdUs">, destination: string, tenantId: string, alertId: string, versionKey: string): string {
  const digest = createHash("sha256").update(`${rule.createdUs}\u0000${destination}\u0000${tenantId}\u0000${alertId}\u0000${versionKey}`).digest("hex");
  return `${rule.name}:${digest.slice(0, 40)}`;
}

/**
 * @example
 * const notifier = createNotifier({ store, resolveSecret: (ref) => process.env[ref.slice(4)] ?? "" });
 * await notifier.runOnce();
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { store } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const base = options.backoffBaseMs ?? 5_000;
  const maxDelay = options.backoffMaxMs ?? 300_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const host = options.hostname ?? osHostname();
  const senders = new Map<boolean, WebhookSend>();
  const sendFor = (allowPrivateTargets: boolean): WebhookSend => {
    if (options.send) return options.send;
    let s = senders.get(allowPrivateTargets);
    if (!s) {
      s = createWebhookSender({ allowPrivateTargets, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.resolveAll ? { resolveAll: options.resolveAll } : {}) });
      senders.set(allowPrivateTargets, s);
    }
    return s;
  };
  const transportOptions = { ...(options.resolveAll ? { resolveAll: options.resolveAll } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  const watermarks = new Map<string, number>();
  const retentionUs = (options.logRetentionDays ?? 30) * 86_400_000_000;
  let prunedAtUs = Number.NEGATIVE_INFINITY;

  const secret = async (ref: string): Promise<string> => {
    try {
      return (await options.resolveSecret(ref)).trim();
    } catch (error) {
      // Fixable without touching the rule (set the variable, restore the file): retried.
      throw new NotifyDeliveryError(`the secret ${ref.startsWith("env:") ? ref : "file"} cannot be read: ${(error as Error).message}`, false);
    }
  };
  const caOf = async (file: string | undefined): Promise<string | undefined> =>
    file === undefined
      ? undefined
      : readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
          throw new NotifyDeliveryError(`cannot read the CA file ${file} (${error.code ?? "error"})`, false);
        });

  async function deliver(d: Destination, m: Message, signal?: AbortSignal): Promise<void> {
    const send = sendFor(d.allowPrivateTargets === true);
    switch (d.kind) {
      case "webhook": {
        const body = webhookJson(m);
        const headers: Record<string, string> = { "idempotency-key": m.dedupeKey };
        if (d.secretRef) headers["x-signature-256"] = `sha256=${createHmac("sha256", await secret(d.secretRef)).update(body).digest("hex")}`;
        return postJson(send, d.url, headers, body, signal);
      }
      case "slack":
        return postJson(send, d.url, {}, slackJson(m), signal);
      case "teams":
        return postJson(send, d.url, {}, teamsJson(m), signal);
      case "splunk-hec":
        return postJson(send, d.url, { authorization: `Splunk ${await secret(d.tokenRef)}` }, splunkJson(m, clock.now()), signal);
      case "pagerduty":
        return postJson(send, d.url ?? PAGERDUTY_EVENTS_URL, {}, pagerDutyJson(m, await secret(d.routingKeyRef)), signal);
      case "smtp": {
        const password = d.passwordRef ? await secret(d.passwordRef) : undefined;
        const ca = await caOf(d.caFile);
        return sendMail(d, { ...emailParts(m), messageId: `<${createHash("sha256").update(m.dedupeKey).digest("hex").slice(0, 32)}@mde-partner>` }, { ...(password !== undefined ? { password } : {}), ...(ca ? { ca } : {}) }, transportOptions);
      }
      case "syslog": {
        const ca = await caOf(d.caFile);
        return sendSyslog(d, syslogCef(m, clock.now(), host), ca ? { ca } : {}, { ...transportOptions, ...(signal ? { signal } : {}) });
      }
    }
  }

  /** Sends one stored message and records the outcome. */
  async function attempt(rule: string, d: Destination, record: NotifyMessageRecord, result: NotifyPassResult, signal?: AbortSignal): Promise<boolean> {
    const message: Message = { ...(record.body as MessageBody), rule, dedupeKey: record.dedupeKey };
    try {
      await deliver(d, message, signal);
      await store.finishNotifyAttempt(record.id, { status: "delivered" });
      result.delivered++;
      return true;
    } catch (error) {
      if (signal?.aborted) throw error;
      const permanent = error instanceof NotifyDeliveryError && error.permanent;
      const text = error instanceof Error ? error.message : String(error);
      const cap = Math.min(maxDelay, base * 2 ** Math.min(record.attempts, 30));
      const delayMs = Math.round(cap / 2 + (random() * cap) / 2);
      await store.finishNotifyAttempt(
        record.id,
        permanent || record.kind === "test" ? { status: "failed", error: text } : { status: "pending", error: text, retryAtUs: Math.round((clock.now() + delayMs) * 1000) },
      );
      result.failures.push({ rule, destination: d.id, error: text, permanent });
      return false;
    }
  }

  async function evaluate(rule: NotifyRuleRecord, def: RuleDefinition, passStartUs: number, result: NotifyPassResult, signal?: AbortSignal): Promise<void> {
    const matches = compileRule(def);
    const since = watermarks.get(rule.name);
    for (;;) {
      signal?.throwIfAborted();
      const pending = await store.pendingNotifyAlerts(
        { name: rule.name, createdUs: rule.createdUs, ...(def.tenantIds ? { tenantIds: def.tenantIds } : {}), ...(def.group ? { group: def.group } : {}) },
        { limit: PAGE, ...(since !== undefined ? { sinceUs: since } : {}) },
      );
      if (pending.length === 0) break;
      const seen = [];
      const events = [];
      for (const { alert, seenStatus, versionKey } of pending) {
        seen.push({ tenantId: alert.tenantId, alertId: alert.id, lastUpdateKey: versionKey, status: alert.status });
        const change = changeOf(alert, seenStatus);
        if (!matches(alert, change)) continue;
        result.matched++;
        const summary = summarize(alert, change);
        for (const d of def.destinations) events.push({ destination: d.id, dedupeKey: notifyDedupeKey(rule, d.id, alert.tenantId, alert.id, versionKey), summary });
      }
      result.evaluated += pending.length;
      await store.recordNotifyEvaluation(rule.name, seen, events);
    }
    watermarks.set(rule.name, passStartUs - MARGIN_US);
  }

  async function runOnce(signal?: AbortSignal): Promise<NotifyPassResult> {
    const result: NotifyPassResult = { evaluated: 0, matched: 0, delivered: 0, failures: [], brokenRules: [] };
    const passStartUs = Math.round(clock.now() * 1000);
    const rules = new Map<string, { rule: NotifyRuleRecord; def: RuleDefinition }>();
    for (const rule of await store.listNotifyRules()) {
      try {
        rules.set(rule.name, { rule, def: checkRuleDefinition(rule.definition) });
      } catch {
        result.brokenRules.push(rule.name);
      }
    }
    for (const { rule, def } of rules.values()) await evaluate(rule, def, passStartUs, result, signal);
    for (const { rule, def } of rules.values()) {
      for (const d of def.destinations) await store.composeNotifyMessage(rule.name, d.id, { intervalUs: (def.intervalSec ?? 60) * 1_000_000 });
    }
    // Newly composed messages and earlier ones whose retry is due; a destination that failed in
    // this pass gets no second message in it (its queue waits for the retry).
    const failedDestinations = new Set<string>();
    for (;;) {
      const due = (await store.dueNotifyMessages({ limit: 100, kinds: ["alert", "digest"] })).filter((m) => !failedDestinations.has(`${m.rule}\u0000${m.destination}`));
      if (due.length === 0) break;
      for (const m of due) {
        signal?.throwIfAborted();
        const owner = rules.get(m.rule);
        const d = owner?.def.destinations.find((x) => x.id === m.destination);
        if (!owner || !d) {
          await store.finishNotifyAttempt(m.id, { status: "failed", error: "the rule or destination no longer exists" });
          continue;
        }
        const leaseUntilUs = Math.round((clock.now() + (options.timeoutMs ?? 30_000) * 4) * 1000);
        if (!(await store.claimNotifyMessage(m.id, m.nextAttemptUs, leaseUntilUs))) continue;
        if (!(await attempt(m.rule, d, m, result, signal))) failedDestinations.add(`${m.rule}\u0000${m.destination}`);
      }
    }
    // The log is kept for a while, not forever: pruned at most hourly.
    if (passStartUs - prunedAtUs > 3_600_000_000) {
      prunedAtUs = passStartUs;
      await store.pruneNotifyLog(passStartUs - retentionUs);
    }
    return result;
  }

  async function test(ruleName: string, signal?: AbortSignal): Promise<NotifyTestResult[]> {
    const rule = (await store.listNotifyRules()).find((r) => r.name === ruleName);
    if (!rule) throw new TypeError(`there is no notification rule named ${JSON.stringify(ruleName)}`);
    const def = checkRuleDefinition(rule.definition);
    const out: NotifyTestResult[] = [];
    const nowIso = new Date(clock.now()).toISOString();
    const body: MessageBody = {
      kind: "test",
      total: 1,
      alerts: [
        {
          tenantId: "00000000-0000-0000-0000-000000000000",
          alertId: "test",
          title: `Test message of notification rule ${ruleName}`,
          severity: def.minSeverity ?? "Informational",
          status: "New",
          category: "Test",
          source: "mde-partner",
          machine: "",
          change: "new",
          createdAt: nowIso,
          updatedAt: nowIso,
        },
      ],
    };
    for (const d of def.destinations) {
      const record = await store.addNotifyTestMessage(ruleName, d.id, body);
      const result: NotifyPassResult = { evaluated: 0, matched: 0, delivered: 0, failures: [], brokenRules: [] };
      const ok = await attempt(ruleName, d, record, result, signal);
      out.push({ destination: d.id, ok, ...(result.failures[0] ? { error: result.failures[0].error } : {}) });
    }
    return out;
  }

  const passes = createPassLoop(runOnce, sleep);
  return {
    runOnce,
    test,
    ...passes,
  };
}
