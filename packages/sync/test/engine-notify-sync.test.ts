/**
 * From the customer to every destination: the emulator listens on real HTTPS,
 * an alert is added at the customer through its control API after the rule
 * exists, one sync stores it, and one notification pass delivers it to each of
 * the eight destinations (webhook, Teams, Slack, PagerDuty, Splunk HEC on an
 * HTTP receiver; email over SMTP with STARTTLS; syslog over TCP and TLS) exactly
 * once. The alerts synced before the rule are sent nowhere, and the next sync
 * and pass send nothing again.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { createNotifier, openStore, parseDestinationSpec, type Store, syncOnce } from "@mde-partner/sync";
import { type EmulatorWorld, partnerFor, servedEmulator } from "@mde-partner/test-kit";
import { addTenants } from "./fixtures/engine-world.js";
import { type HttpReceiver, httpReceiver, makeTestCert, type SmtpReceiver, smtpReceiver, type SyslogReceiver, syslogReceiver, type TestCert } from "./fixtures/notify-receivers.js";
import { createTestDatabase, type TestDatabase } from "./helpers/databases.js";

const SECRETS: Record<string, string> = { "env:PD_KEY": "pd-routing-key", "env:HEC_TOKEN": "hec-token", "env:SMTP_PASS": "smtp-pass" };

describe("an alert added at a customer reaches each destination once per rule within one sync", () => {
  let world: EmulatorWorld;
  let cert: TestCert;
  let http: HttpReceiver;
  let smtp: SmtpReceiver;
  let tcp: SyslogReceiver;
  let tls: SyslogReceiver;
  let db: TestDatabase;
  let store: Store;

  before(async () => {
    world = await servedEmulator({ seed: "engine-notify-sync", tenants: 2, alertsPerTenant: 15, machinesPerTenant: 1, rateLimits: false });
    cert = makeTestCert();
    [http, smtp, tcp, tls] = await Promise.all([httpReceiver(), smtpReceiver(cert), syslogReceiver(), syslogReceiver(cert)]);
    db = await createTestDatabase("sqlite");
    store = await openStore(db.options);
  });
  after(async () => {
    await store?.close();
    await db?.drop();
    await Promise.all([http?.close(), smtp?.close(), tcp?.close(), tls?.close()]);
    cert?.cleanup();
    await world?.stop();
  });

  it("delivers the new alert once to all eight destinations, and nothing older", async () => {
    const partner = partnerFor(world);
    await addTenants(store, world.info);
    assert.equal((await syncOnce({ store, partner })).ok, true);

    await store.addNotifyRule("everything", {
      intervalSec: 60,
      destinations: [
        parseDestinationSpec(`webhook:${http.url}/hook`),
        parseDestinationSpec(`teams:${http.url}/teams`),
        parseDestinationSpec(`slack:${http.url}/slack`),
        parseDestinationSpec("pagerduty:env:PD_KEY", { pagerdutyUrl: `${http.url}/pagerduty/v2/enqueue` }),
        parseDestinationSpec(`splunk-hec:${http.url}/services/collector/event`, { splunkTokenRef: "env:HEC_TOKEN" }),
        parseDestinationSpec("smtp:soc@partner.example", {
          smtpServer: `127.0.0.1:${smtp.port}`,
          smtpFrom: "mde@partner.example",
          smtpUser: "soc",
          smtpPasswordRef: "env:SMTP_PASS",
          caFile: cert.certFile,
        }),
        parseDestinationSpec(`syslog:${tcp.url}`),
        parseDestinationSpec(`syslog:${tls.url}`, { caFile: cert.certFile }),
      ],
    });
    const notifier = createNotifier({ store, resolveSecret: (ref) => SECRETS[ref] ?? "" });
    assert.equal((await notifier.runOnce()).delivered, 0, "alerts synced before the rule are not the rule's");

    const tenant = world.info.tenants[1]!.id;
    const res = await world.emulator.fetch(`${world.info.controlUrl}/tenants/${tenant}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1 }),
    });
    assert.equal(res.status, 201);
    const [alertId] = ((await res.json()) as { ids: string[] }).ids;
    assert.equal((await syncOnce({ store, partner })).ok, true);
    const pass = await notifier.runOnce();
    assert.deepEqual(pass.failures, []);
    assert.equal(pass.matched, 1);
    assert.equal(pass.delivered, 8);
    for (let i = 0; i < 100 && (tcp.messages.length === 0 || tls.messages.length === 0); i++) await delay(20);

    const paths = http.arrivals.map((a) => a.path.split("/")[1]).sort();
    assert.deepEqual(paths, ["hook", "pagerduty", "services", "slack", "teams"]);
    // Teams' markdown gets the id with its "_" backslash-escaped; it reads the same.
    const shown = (body: string) => JSON.stringify(JSON.parse(body)).replace(/\\\\(.)/g, "$1");
    for (const a of http.arrivals) assert.ok(shown(a.body).includes(alertId!), `${a.path} names the alert`);
    assert.equal(smtp.mails.length, 1);
    assert.ok(smtp.mails[0]!.raw.includes(alertId!));
    assert.deepEqual([tcp.messages.length, tls.messages.length], [1, 1]);
    assert.match(tls.messages[0]!, new RegExp(`cs2=${tenant} cs3Label=alertId cs3=${alertId}`));

    assert.equal((await syncOnce({ store, partner })).ok, true);
    assert.equal((await notifier.runOnce()).delivered, 0, "nothing twice");
    assert.equal(http.arrivals.length + smtp.mails.length, 6);
  });
});
