/**
 * Notification rules delivered to real local receivers on 127.0.0.1 (HTTP for
 * the webhook, Slack, Teams, PagerDuty and Splunk HEC; SMTP with STARTTLS and
 * AUTH; syslog over TCP and TLS), on both store dialects, with a fake clock:
 * each matching alert reaches each destination once, a receiver down for five
 * minutes gets everything afterwards and nothing twice, and a storm of 500
 * alerts is one digest per destination.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, beforeEach, describe, it } from "node:test";
import { type AlertInput, createNotifier, type Destination, openStore, parseDestinationSpec, type Store } from "@mde-partner/sync";
import { createTestDatabase, DIALECTS, randomTenantId, type TestDatabase } from "./helpers/databases.js";
import { type HttpReceiver, httpReceiver, makeTestCert, type SmtpReceiver, smtpReceiver, type SyslogReceiver, syslogReceiver, type TestCert } from "./fixtures/notify-receivers.js";

const SECRETS: Record<string, string> = { "env:HOOK_SECRET": "hook-signing-secret", "env:PD_KEY": "pd-routing-key", "env:HEC_TOKEN": "hec-token", "env:SMTP_PASS": "smtp-pass" };
const resolveSecret = (ref: string) => {
  const v = SECRETS[ref];
  if (v === undefined) throw new Error(`${ref} is not set`);
  return v;
};

let seq = 0;
function alert(overrides: Record<string, unknown> = {}): AlertInput & Record<string, unknown> {
  seq++;
  return {
    id: `da${String(seq).padStart(6, "0")}_1`,
    title: `Suspicious PowerShell ${seq}`,
    severity: "High",
    status: "New",
    category: "Execution",
    detectionSource: "WindowsDefenderAtp",
    computerDnsName: `pc-${seq}.contoso.local`,
    alertCreationTime: "2026-01-01T00:00:00Z",
    lastUpdateTime: new Date(Date.parse("2026-01-01T00:00:00Z") + seq * 1000).toISOString(),
    ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`notification rules delivered to local receivers (${dialect})`, () => {
    let http: HttpReceiver;
    let smtp: SmtpReceiver;
    let syslogTcp: SyslogReceiver;
    let syslogTls: SyslogReceiver;
    let cert: TestCert;
    let db: TestDatabase;
    let store: Store;
    let now = Date.parse("2026-01-01T08:00:00Z");
    const clock = { now: () => now };
    let tenant: string;
    const write = (alerts: AlertInput[]) => store.applyAlertPage(tenant, alerts, { value: "2026-01-01T00:00:00Z", seenIds: [] });

    before(async () => {
      cert = makeTestCert();
      http = await httpReceiver();
      smtp = await smtpReceiver(cert);
      syslogTcp = await syslogReceiver();
      syslogTls = await syslogReceiver(cert);
    });
    after(async () => {
      await Promise.all([http?.close(), smtp?.close(), syslogTcp?.close(), syslogTls?.close()]);
      cert?.cleanup();
    });
    beforeEach(async () => {
      await store?.close();
      await db?.drop();
      db = await createTestDatabase(dialect);
      store = await openStore({ ...db.options, clock });
      tenant = randomTenantId();
      await store.upsertTenant({ id: tenant, name: "Contoso", initialState: "verified" });
      http.arrivals.length = 0;
      http.failWith = undefined;
      smtp.mails.length = 0;
      syslogTcp.messages.length = 0;
      syslogTls.messages.length = 0;
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    function everyDestination(): Destination[] {
      return [
        parseDestinationSpec(`webhook:${http.url}/hook`, { secretRef: "env:HOOK_SECRET" }),
        parseDestinationSpec(`teams:${http.url}/teams`),
        parseDestinationSpec(`slack:${http.url}/slack`),
        parseDestinationSpec("pagerduty:env:PD_KEY", { pagerdutyUrl: `${http.url}/pagerduty/v2/enqueue` }),
        parseDestinationSpec(`splunk-hec:${http.url}/services/collector/event`, { splunkTokenRef: "env:HEC_TOKEN" }),
        parseDestinationSpec("smtp:soc@partner.example", {
          smtpServer: `127.0.0.1:${smtp.port}`,
          smtpFrom: "mde-partner@partner.example",
          smtpUser: "soc",
          smtpPasswordRef: "env:SMTP_PASS",
          caFile: cert.certFile,
        }),
        parseDestinationSpec(`syslog:${syslogTcp.url}`),
        parseDestinationSpec(`syslog:${syslogTls.url}`, { caFile: cert.certFile }),
      ];
    }

    it("delivers an alert written after the rule to every destination exactly once, and nothing older", async () => {
      await write([alert({ title: "Before the rule" })]);
      now += 1000;
      await store.addNotifyRule("high-alerts", { minSeverity: "High", destinations: everyDestination() });
      now += 1000;
      const hostile = "Evil <!channel> <https://x.example|click> *bold* | CEF:0|x=1\\ \n<script>alert(1)</script> [md](http://e) @here #general evil.example/login";
      await write([alert({ title: hostile }), alert({ severity: "Low", title: "Too low" })]);

      const notifier = createNotifier({ store, clock, resolveSecret, hostname: "soc-host" });
      const pass = await notifier.runOnce();
      assert.deepEqual(pass.failures, []);
      assert.equal(pass.matched, 1);
      assert.equal(pass.delivered, 8);
      // A second pass (and a re-sync of the same version) sends nothing again.
      await write([alert({ id: `da${String(seq - 1).padStart(6, "0")}_1`, title: hostile, lastUpdateTime: new Date(Date.parse("2026-01-01T00:00:00Z") + (seq - 1) * 1000).toISOString() })]);
      assert.equal((await notifier.runOnce()).delivered, 0);

      const byPath = (p: string) => http.arrivals.filter((a) => a.path.startsWith(p));
      for (const p of ["/hook", "/teams", "/slack", "/pagerduty", "/services/collector"]) assert.equal(byPath(p).length, 1, p);
      const hook = byPath("/hook")[0]!;
      assert.equal(hook.headers["x-signature-256"], `sha256=${createHmac("sha256", "hook-signing-secret").update(hook.body).digest("hex")}`);
      const hookBody = JSON.parse(hook.body);
      assert.equal(hook.headers["idempotency-key"], hookBody.idempotencyKey);
      assert.equal(hookBody.alerts[0].tenantId, tenant);
      assert.ok(!hookBody.alerts[0].title.includes("\n"), "no control characters");

      // Slack parses the fallback text and every mrkdwn field: none may carry a raw "<" (mentions, links).
      const slack = JSON.parse(byPath("/slack")[0]!.body);
      const mrkdwn = [slack.text, ...JSON.stringify(slack.blocks).matchAll(/"type":"mrkdwn","text":("(?:[^"\\]|\\.)*")/g)].map((m) => (typeof m === "string" ? m : JSON.parse(m[1]!)));
      assert.ok(mrkdwn.length >= 2 && mrkdwn.every((t) => !t.includes("<")), "Slack control sequences are escaped");
      assert.match(slack.text, /&lt;!channel&gt;/);
      // Slack would still link-ify "@here", "#general" and bare URLs in a non-verbatim mrkdwn object.
      const mrkdwnObjects = JSON.stringify(slack.blocks).match(/\{"type":"mrkdwn"[^{}]*\}/g) ?? [];
      assert.ok(mrkdwnObjects.length >= 2 && mrkdwnObjects.every((o) => JSON.parse(o).verbatim === true), "every mrkdwn object is verbatim");
      const teams = JSON.parse(byPath("/teams")[0]!.body);
      assert.equal(teams.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
      assert.match(JSON.stringify(teams), /\\\\\[md\\\\\]/, "markdown link syntax escaped");
      const pd = JSON.parse(byPath("/pagerduty")[0]!.body);
      assert.equal(pd.routing_key, "pd-routing-key");
      assert.equal(pd.event_action, "trigger");
      assert.equal(pd.payload.severity, "critical");
      assert.match(pd.dedup_key, /^high-alerts:[0-9a-f]{40}$/, "one key per rule, destination and alert version");
      assert.equal(byPath("/services/collector")[0]!.headers.authorization, "Splunk hec-token");

      assert.equal(smtp.mails.length, 1);
      const mail = smtp.mails[0]!;
      assert.equal(mail.secure, true, "STARTTLS was used");
      assert.equal(mail.user, "soc");
      assert.deepEqual(mail.to, ["soc@partner.example"]);
      // The HTML part (quoted-printable) carries the title escaped; the plain-text part may carry it as text.
      const decoded = mail.raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
      const html = decoded.slice(decoded.indexOf("Content-Type: text/html"));
      assert.ok(html.includes("&#60;script&#62;") && !html.includes("<script>"), "HTML-escaped");

      for (const l of [syslogTcp, syslogTls]) {
        // TCP has no answer: the sender is done when the frame is written, the listener reads it a moment later.
        for (let i = 0; i < 100 && l.messages.length === 0; i++) await delay(20);
        assert.equal(l.messages.length, 1);
        const m = l.messages[0]!;
        assert.match(m, /^<162>1 \S+ soc-host mde-partner - alert - CEF:0\|mde-partner\|mde-partner\|1\.0\|Execution\|/);
        assert.ok(!m.includes("\n"), "one line");
        assert.match(m, /\|\[High\] Evil .*CEF:0\\\|x=1\\\\ /, "CEF header: pipe and backslash escaped");
        assert.match(m, / msg=Evil .*CEF:0\|x\\=1\\\\ /, "CEF extension value: equals and backslash escaped");
        assert.match(m, new RegExp(`cs2=${tenant}`));
      }
      const log = await store.listNotifyMessages({ rule: "high-alerts" });
      assert.equal(log.length, 8);
      assert.ok(log.every((m) => m.status === "delivered" && m.attempts === 1));
    });

    it("a receiver down for five minutes gets everything afterwards, nothing twice", async () => {
      const hook = parseDestinationSpec(`webhook:${http.url}/hook`);
      await store.addNotifyRule("flaky", { minSeverity: "Medium", intervalSec: 0, destinations: [hook] });
      now += 1000;
      const notifier = createNotifier({ store, clock, resolveSecret, random: () => 1, backoffBaseMs: 5_000, backoffMaxMs: 60_000 });
      http.failWith = 503;
      const downUntil = now + 5 * 60_000;
      let written = 0;
      while (now < downUntil) {
        await write([alert()]);
        written++;
        const pass = await notifier.runOnce();
        assert.equal(pass.delivered, 0);
        now += 30_000;
      }
      http.failWith = undefined;
      for (let i = 0; i < 10; i++) {
        await notifier.runOnce();
        now += 60_000;
      }
      const keys = http.arrivals.map((a) => JSON.parse(a.body).idempotencyKey as string);
      assert.equal(new Set(keys).size, keys.length, "no dedupe key twice");
      const alertIds = http.arrivals.flatMap((a) => JSON.parse(a.body).alerts.map((x: { alertId: string }) => x.alertId));
      assert.equal(new Set(alertIds).size, written, "every alert arrived");
      assert.equal(alertIds.length, written, "no alert twice");
      const log = await store.listNotifyMessages({ rule: "flaky" });
      assert.ok(log.some((m) => m.attempts > 1 && m.status === "delivered"), "the first message was retried until it went through");
      // Thirty days on, the delivery log is pruned.
      now += 31 * 86_400_000;
      await notifier.runOnce();
      assert.deepEqual(await store.listNotifyMessages({ rule: "flaky" }), []);
    });

    it("a storm of 500 alerts is one digest per destination per interval", async () => {
      await store.addNotifyRule("storm", {
        minSeverity: "Low",
        intervalSec: 300,
        destinations: [parseDestinationSpec(`slack:${http.url}/slack`), parseDestinationSpec(`webhook:${http.url}/hook`)],
      });
      now += 1000;
      const notifier = createNotifier({ store, clock, resolveSecret });
      await write(Array.from({ length: 500 }, () => alert()));
      const pass = await notifier.runOnce();
      assert.equal(pass.matched, 500);
      assert.equal(http.arrivals.length, 2);
      const digest = JSON.parse(http.arrivals.find((a) => a.path === "/hook")!.body);
      assert.equal(digest.kind, "digest");
      assert.equal(digest.total, 500);
      assert.match(http.arrivals.find((a) => a.path === "/slack")!.body, /500 alerts matched notification rule storm/);
      // More alerts inside the interval wait; after it, they are one more digest.
      await write(Array.from({ length: 3 }, () => alert()));
      now += 60_000;
      await notifier.runOnce();
      assert.equal(http.arrivals.length, 2, "throttled within the interval");
      now += 300_000;
      await notifier.runOnce();
      assert.equal(http.arrivals.length, 4);
      assert.equal(JSON.parse(http.arrivals.find((a, i) => i >= 2 && a.path === "/hook")!.body).total, 3);
    });

    it("an alert without a lastUpdateTime is notified once", async () => {
      await store.addNotifyRule("no-time", { intervalSec: 0, destinations: [parseDestinationSpec(`webhook:${http.url}/hook`)] });
      now += 1000;
      const notifier = createNotifier({ store, clock, resolveSecret });
      await write([alert({ lastUpdateTime: null })]);
      assert.equal((await notifier.runOnce()).delivered, 1);
      assert.equal((await notifier.runOnce()).delivered, 0);
      assert.equal(http.arrivals.length, 1);
    });

    it("two processes sharing the store send each message once", async () => {
      await store.addNotifyRule("shared", { intervalSec: 0, destinations: [parseDestinationSpec(`webhook:${http.url}/hook`)] });
      now += 1000;
      const second = await openStore({ ...db.options, clock });
      try {
        const notifiers = [createNotifier({ store, clock, resolveSecret }), createNotifier({ store: second, clock, resolveSecret })];
        for (let round = 0; round < 5; round++) {
          await write([alert()]);
          now += 1000;
          // A pass that lost a race may fail; the next pass picks up whatever is left.
          await Promise.allSettled(notifiers.map((n) => n.runOnce()));
        }
        await notifiers[0]!.runOnce();
      } finally {
        await second.close();
      }
      const ids = http.arrivals.flatMap((a) => JSON.parse(a.body).alerts.map((x: { alertId: string }) => x.alertId));
      assert.equal(ids.length, 5, "each alert once");
      assert.equal(new Set(ids).size, 5);
    });

    it("matches status changes, groups, titles and sources", async () => {
      const other = randomTenantId();
      await store.upsertTenant({ id: other, name: "Fabrikam", initialState: "verified" });
      await store.addToGroup("emea", [tenant]);
      await store.addNotifyRule("resolved-in-emea", {
        group: "emea",
        on: ["status"],
        statuses: ["Resolved"],
        titlePattern: "^ransom",
        sources: ["windowsdefenderatp"],
        intervalSec: 0,
        destinations: [parseDestinationSpec(`webhook:${http.url}/hook`)],
      });
      now += 1000;
      const notifier = createNotifier({ store, clock, resolveSecret });
      const a = alert({ title: "Ransomware detected" });
      await write([a]);
      await store.applyAlertPage(other, [alert({ title: "Ransomware elsewhere" })], { value: "2026-01-01T00:00:00Z", seenIds: [] });
      await notifier.runOnce();
      assert.equal(http.arrivals.length, 0, "a new alert is not a status change");
      now += 1000;
      await write([{ ...a, status: "Resolved", lastUpdateTime: "2026-02-01T00:00:00Z" }]);
      await notifier.runOnce();
      assert.equal(http.arrivals.length, 1);
      assert.equal(JSON.parse(http.arrivals[0]!.body).alerts[0].change, "status");
    });
  });
}

describe("notification rule definitions", () => {
  it("refuses unsafe targets, secrets in place of references and runaway title patterns", async () => {
    const { checkRuleDefinition } = await import("@mde-partner/sync");
    assert.throws(() => parseDestinationSpec("webhook:http://soar.example.com/hook"), /must be https/);
    assert.throws(() => parseDestinationSpec("slack:https://169.254.169.254/x"), /metadata/);
    assert.throws(() => parseDestinationSpec("syslog:tcp://siem.example.com:514"), /only for a listener on this machine/);
    // `notify list`, the console and the audit log show a syslog target as written: nothing in it may be a secret.
    for (const url of ["tls://:s3cret@siem.example.com:6514", "tls://siem.example.com:6514?token=s3cret", "tls://siem.example.com:6514#s3cret"])
      assert.throws(() => parseDestinationSpec(`syslog:${url}`), (e: Error) => /tls:\/\/HOST:PORT/.test(e.message) && !e.message.includes("s3cret"), url);
    assert.throws(() => parseDestinationSpec("pagerduty:R0UT1NGKEY"), /reference/);
    assert.throws(() => parseDestinationSpec("smtp:soc@example.com"), /--smtp-server/);
    const dest = parseDestinationSpec("webhook:https://soar.example/hook");
    assert.throws(() => checkRuleDefinition({ titlePattern: "(a+)+$", destinations: [dest] }), /nest quantifiers/);
    assert.throws(() => checkRuleDefinition({ titlePattern: "^(a|aa)*$", destinations: [dest] }), /nest quantifiers/);
    assert.throws(() => checkRuleDefinition({ titlePattern: "(x)\\1", destinations: [dest] }), /back-references/);
    assert.ok(checkRuleDefinition({ titlePattern: "^(ransom|wiper)ware", destinations: [dest] }));
    assert.throws(() => checkRuleDefinition({ minSeverity: "Severe", destinations: [dest] }), /min severity/);
    assert.throws(() => checkRuleDefinition({ destinations: [] }), /1 to 10 destinations/);
    assert.equal(checkRuleDefinition({ minSeverity: "High", destinations: [dest] }).destinations[0]!.id, dest.id);
  });

  it("a title pattern that backtracks for ages on a hostile title gives up in time and lets the alert through", async () => {
    const { checkRuleDefinition } = await import("@mde-partner/sync");
    const { compileRule } = await import("../src/engine/notify/rule.js");
    const dest = parseDestinationSpec("webhook:https://soar.example/hook");
    // No nested quantifier, so accepted; but three overlapping ones are polynomial: seconds per 512-character title.
    const slow = compileRule(checkRuleDefinition({ titlePattern: "[a-z]*[a-z]*[a-z]*!", destinations: [dest] }));
    const alert = { tenantId: randomTenantId(), id: "da1_1", title: "a".repeat(600), severity: "High", status: "New", payload: {} } as unknown as Parameters<typeof slow>[0];
    const started = Date.now();
    assert.equal(slow(alert, "new"), true, "delivered rather than lost");
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    const plain = compileRule(checkRuleDefinition({ titlePattern: "^ransom", destinations: [dest] }));
    assert.equal(plain({ ...alert, title: "Ransomware detected" }, "new"), true);
    assert.equal(plain({ ...alert, title: "Mimikatz" }, "new"), false);
  });
});
