/**
 * The Notifications page: an admin of every tenant sees each rule, what it
 * matches and the delivery log of each destination (without the URL's path,
 * which may be a credential), and sends a test message to a receiver on
 * 127.0.0.1 with the button; viewers and responders are refused. Tenant and
 * rule text is escaped.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { checkRuleDefinition, createNotifier, type Notifier, parseDestinationSpec } from "@mde-partner/sync";
import { createWorld, signedIn, type World } from "./support.js";

let world: World;
let receiver: Server;
let hookUrl = "";
const bodies: string[] = [];
let notifier: Notifier;

before(async () => {
  receiver = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    bodies.push(body);
    res.writeHead(204).end();
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/s3cr3t-path`;
  world = await createWorld({ console: { notifier: { test: (name) => notifier.test(name) } } });
  notifier = createNotifier({ store: world.store, resolveSecret: () => "unused" });
});
after(async () => {
  receiver?.close();
  await world?.close();
});

describe("console notifications page", () => {
  it("lists rules and the delivery log per destination, escaped and without URL paths; the test button sends", async () => {
    const tenant = world.info.tenants[0]!.id;
    await world.store.upsertTenant({ id: tenant, name: "Contoso", initialState: "consented" });
    const definition = checkRuleDefinition({ titleContains: "<img src=x onerror=alert(1)>", on: ["new"], intervalSec: 0, destinations: [parseDestinationSpec(`webhook:${hookUrl}`)] });
    await world.store.addNotifyRule("soc-high", definition, "admin");
    await world.store.applyAlertPage(
      tenant,
      [{ id: "da0001_1", title: "Hello <img src=x onerror=alert(1)> there", severity: "High", status: "New", lastUpdateTime: new Date().toISOString() }],
      { value: "2026-01-01T00:00:00Z", seenIds: [] },
    );
    const pass = await notifier.runOnce();
    assert.equal(pass.delivered, 1);

    const admin = await signedIn(world, "admin");
    const res = await admin.request("/admin/notifications");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /data-rule="soc-high"/);
    assert.match(html, /data-status="delivered"/);
    assert.ok(!html.includes("<img src=x"), "rule text escaped");
    assert.ok(!html.includes("s3cr3t-path"), "no URL path");
    assert.match(html, /webhook http:\/\/127\.0\.0\.1:\d+\/…/);

    const sent = await admin.form("/admin/notifications/soc-high/test", {});
    assert.equal(sent.status, 200);
    assert.match(await sent.text(), /Test of soc-high: sent to 1 destination/);
    assert.equal(JSON.parse(bodies.at(-1)!).kind, "test");
    assert.ok((await world.store.queryAudit({ limit: 10 })).some((e) => e.action === "notify.test" && e.actor === "admin"), "audited");
  });

  it("is for admins of every tenant only", async () => {
    for (const role of ["viewer", "responder"] as const) {
      const agent = await signedIn(world, role);
      assert.equal((await agent.request("/admin/notifications")).status, 403, role);
      assert.equal((await agent.form("/admin/notifications/soc-high/test", {})).status, 403, role);
    }
  });
});
