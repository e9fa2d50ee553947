// A signed-in operator's work, in process: sync now, alerts across tenants with
// server-side filters and paging, an alert update written through the API and
// into the store, a response action followed to the end, a hunting query over
// two tenants with CSV, the audit log and /metrics. Plus the one real-socket
// smoke test: HTTPS with the console's own certificate.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOneTimeLogin } from "@mde-partner/server";
import { Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { Agent, consoleOf, createWorld, PASSWORDS, REQUIRED, signedIn, unescapeHtml, type World } from "./support.js";

let world: World;
let responder: Agent;
let contoso: string;
let northwind: string;

interface AlertRow {
  tenantId: string;
  id: string;
  severity: string;
  status: string;
  lastUpdateTime: string;
  machineId: string | null;
}

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Northwind" }], alertsPerTenant: 60, machinesPerTenant: 4 },
  });
  [contoso, northwind] = world.info.tenants.map((t) => t.id) as [string, string];
  for (const [id, name] of [
    [contoso, "Contoso"],
    [northwind, "Northwind"],
  ] as const)
    await world.store.upsertTenant({ id, name, initialState: "consented" });
  responder = await signedIn(world, "responder");
});
after(() => world.close());

describe("alerts", () => {
  it("sync now (the form) fills the store through the engine and reports it", async () => {
    const res = await responder.form("/sync", {});
    const page = await res.text();
    assert.equal(res.status, 200);
    assert.match(page, /Synced 2 tenant\(s\): 120 alert\(s\) read \(120 new, 0 updated, 0 unchanged\)/);
    assert.equal(await world.store.countAlerts({}), 120);
    // Nothing changed in the tenants: whatever the overlap window re-reads is unchanged, not updated.
    const again = await (await responder.form("/sync", {})).text();
    assert.match(again, /Synced 2 tenant\(s\): \d+ alert\(s\) read \(0 new, 0 updated, \d+ unchanged\)/);
    assert.ok((await world.store.getTenant(contoso))?.lastSyncAt);
  });

  it("one table across tenants; filters, sort and keyset paging happen on the server", async () => {
    const all: AlertRow[] = [];
    let token: string | null = null;
    do {
      const res = await responder.request(`/api/v1/alerts?limit=25${token ? `&pageToken=${token}` : ""}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { items: AlertRow[]; nextPageToken: string | null };
      all.push(...page.items);
      token = page.nextPageToken;
    } while (token);
    assert.equal(all.length, 120);
    assert.deepEqual(new Set(all.map((a) => a.tenantId)), new Set([contoso, northwind]));
    const times = all.map((a) => a.lastUpdateTime);
    assert.deepEqual(times, [...times].sort().reverse(), "newest first");

    const high = all.filter((a) => a.tenantId === contoso && a.severity === "High" && a.status === "New");
    const filtered = (await (
      await responder.request(
        `/api/v1/alerts?tenant=${contoso}&severity=High&status=New&from=2000-01-01&to=2100-01-01&sort=lastUpdateTime&order=asc&limit=500`,
      )
    ).json()) as { items: AlertRow[] };
    assert.deepEqual(filtered.items.map((a) => a.id).sort(), high.map((a) => a.id).sort());
    assert.ok(
      filtered.items.every((a, i, xs) => i === 0 || xs[i - 1]!.lastUpdateTime <= a.lastUpdateTime),
      "ascending",
    );

    const bad = await responder.request("/api/v1/alerts?severity=Critical");
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /severity must be one of/);

    const first = await (await responder.request("/alerts")).text();
    const next = /<a href="([^"]+)" id="next-page"/.exec(first)?.[1];
    assert.ok(next, "the page links to the next page");
    const second = await (await responder.request(unescapeHtml(next))).text();
    const ids = (html: string) => [...html.matchAll(/<tr data-alert="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids(first).length, 50);
    assert.equal(ids(second).length, 50);
    assert.equal(new Set([...ids(first), ...ids(second)]).size, 100, "the second page continues the first");

    const page = await (await responder.request(`/alerts?tenant=${northwind}&severity=High`)).text();
    const rows = [...page.matchAll(/<tr data-alert="/g)].length;
    assert.equal(rows, all.filter((a) => a.tenantId === northwind && a.severity === "High").length);
  });

  it("resolving an alert writes through the MDE API and into the store, with an audit trail", async () => {
    const [alert] = (
      (await (await responder.request(`/api/v1/alerts?tenant=${contoso}&status=New&limit=1`)).json()) as { items: AlertRow[] }
    ).items;
    assert.ok(alert);
    const detail = await (await responder.request(`/alerts/${contoso}/${alert.id}`)).text();
    assert.match(detail, /id="alert-update"/);
    assert.match(detail, /<h2>Evidence<\/h2>/);
    const res = await responder.form(`/alerts/${contoso}/${alert.id}`, {
      status: "Resolved",
      classification: "FalsePositive",
      determination: "Other",
      comment: "benign admin script",
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Saved: status Resolved/);
    const remote = await world.partner.tenant(contoso).alerts.get(alert.id);
    assert.equal(remote.status, "Resolved");
    assert.ok(remote.comments.some((c) => c.comment === "benign admin script"));
    assert.equal((await world.store.getAlert(contoso, alert.id))?.status, "Resolved");
    const audit = await world.store.queryAudit({ action: "alert.update", tenantId: contoso });
    assert.deepEqual(audit.map((e) => e.phase).sort(), ["completed", "requested"]);
    assert.equal(audit[0]?.actor, "responder");

    const invalid = await responder.json("PATCH", `/api/v1/alerts/${contoso}/${alert.id}`, { status: "Closed" });
    assert.equal(invalid.status, 400);
  });
});

describe("devices and response actions", () => {
  it("isolating a device needs a comment, goes through a confirmation, and its status follows to Succeeded", async () => {
    const devices = (await (await responder.request(`/api/v1/devices?tenant=${contoso}`)).json()) as {
      items: Array<{ id: string; computerDnsName: string }>;
    };
    assert.equal(devices.items.length, 4);
    const device = devices.items[0]!;
    const confirm = await (await responder.request(`/devices/${contoso}/${device.id}/actions/new?action=isolate`)).text();
    assert.match(confirm, /<textarea id="action-comment" name="comment" required/);
    assert.match(confirm, /Confirm: Isolate device/);

    const noComment = await responder.form(`/devices/${contoso}/${device.id}/actions`, { action: "isolate", comment: "  " });
    assert.equal(noComment.status, 400);
    assert.match(await noComment.text(), /a comment is required/);

    const res = await responder.form(`/devices/${contoso}/${device.id}/actions`, {
      action: "isolate",
      isolationType: "Full",
      comment: "INC-42 ransomware suspected",
    });
    assert.equal(res.status, 303);
    const location = res.headers.get("location") ?? "";
    assert.match(location, new RegExp(`^/actions/${contoso}/`));
    const actionId = decodeURIComponent(location.split("/")[3]!.split("?")[0]!);
    const status = await (await responder.request(location)).text();
    assert.match(status, new RegExp(`data-poll="/api/v1/actions/${contoso}/${actionId}"`));

    let final = false;
    let last = "";
    for (let i = 0; i < 50 && !final; i++) {
      const poll = (await (await responder.request(`/api/v1/actions/${contoso}/${actionId}`)).json()) as {
        action: { status: string; comment: string };
        final: boolean;
      };
      final = poll.final;
      last = poll.action.status;
      assert.equal(poll.action.comment, "INC-42 ransomware suspected");
      if (!final) await new Promise((r) => setTimeout(r, 60));
    }
    assert.equal(last, "Succeeded");
    assert.equal((await world.store.getMachineAction(contoso, actionId))?.status, "Succeeded");
    const audit = await world.store.queryAudit({ tenantId: contoso, actor: "responder" });
    assert.ok(
      audit.some((e) => e.comment === "INC-42 ransomware suspected"),
      "the action and its comment are audited",
    );
    const auditPage = await (await responder.request("/audit")).text();
    assert.match(auditPage, /INC-42 ransomware suspected/);

    // What the operator sees afterwards: the device is isolated, and they asked for it (not the app id).
    const devicePage = await (await responder.request(`/devices/${contoso}/${device.id}`)).text();
    assert.match(devicePage, /id="isolation-state" data-state="Isolated">Isolated \(Full\)</);
    assert.match(devicePage, /<td data-field="requested-by">responder<\/td>/);
    assert.doesNotMatch(devicePage, new RegExp(world.info.partnerApp.clientId));
    const actionPage = await (await responder.request(`/actions/${contoso}/${actionId}`)).text();
    assert.match(actionPage, /<dd id="requested-by">responder<\/dd>/);
    const deviceJson = (await (await responder.request(`/api/v1/devices/${contoso}/${device.id}`)).json()) as {
      isolation: { state: string };
      actions: Array<{ operator: string; requestor: string }>;
    };
    assert.equal(deviceJson.isolation.state, "Isolated");
    assert.equal(deviceJson.actions[0]?.operator, "responder");
    assert.equal(deviceJson.actions[0]?.requestor, world.info.partnerApp.clientId, "MDE's own requestor is kept as it answered");

    // Released again: the state follows.
    const release = await responder.form(`/devices/${contoso}/${device.id}/actions`, { action: "unisolate", comment: "INC-42 cleared" });
    assert.equal(release.status, 303);
    const releaseId = decodeURIComponent((release.headers.get("location") ?? "").split("/")[3]!.split("?")[0]!);
    for (let i = 0; i < 50; i++) {
      const poll = (await (await responder.request(`/api/v1/actions/${contoso}/${releaseId}`)).json()) as { final: boolean };
      if (poll.final) break;
      await new Promise((r) => setTimeout(r, 60));
    }
    assert.match(await (await responder.request(`/devices/${contoso}/${device.id}`)).text(), /data-state="NotIsolated">Not isolated</);
  });

  it("writes the tenant's recorded roles do not allow are not offered; the page names the missing permission", async () => {
    const [device] = await world.store.listMachines(northwind, { limit: 1 });
    const [alert] = (await world.store.queryAlerts({ tenantIds: [northwind], limit: 1 })).items;
    assert.ok(device && alert, "northwind is synced");
    const roles = { grantedRoles: ["Alert.Read.All", "Machine.Read.All", "Machine.Scan"] };
    await world.store.upsertTenant({ id: northwind, name: "Northwind", ...roles });
    try {
      const alertPage = await (await responder.request(`/alerts/${northwind}/${encodeURIComponent(alert.id)}`)).text();
      assert.doesNotMatch(alertPage, /id="alert-update"/, "no update form");
      assert.match(alertPage, /id="alert-update-unavailable"[\s\S]*Updating an alert needs Alert\.ReadWrite\.All/);
      const devicePage = await (await responder.request(`/devices/${northwind}/${device.id}`)).text();
      assert.doesNotMatch(devicePage, /id="action-isolate"/);
      assert.match(devicePage, /id="action-scan"/, "the granted one is offered");
      assert.match(devicePage, /data-action="isolate">Isolate device needs Machine\.Isolate/);
      // With every role granted the forms are back.
      await world.store.upsertTenant({ id: northwind, name: "Northwind", grantedRoles: REQUIRED });
      assert.match(await (await responder.request(`/alerts/${northwind}/${encodeURIComponent(alert.id)}`)).text(), /id="alert-update"/);
    } finally {
      await world.store.upsertTenant({ id: northwind, name: "Northwind", grantedRoles: [] });
    }
  });
});

describe("hunting", () => {
  it("one query on two tenants: merged rows with the tenant, per-tenant errors beside them, CSV download", async () => {
    const res = await responder.form("/hunting", {
      query: "DeviceInfo | summarize Devices = count() by OSPlatform",
      tenant: [contoso, northwind],
    });
    const page = await res.text();
    assert.equal(res.status, 200, page.slice(0, 500));
    assert.match(page, /id="hunt-results"/);
    assert.match(page, /<th scope="col">TenantId<\/th>/);
    assert.ok(page.includes(contoso) && page.includes(northwind));
    const csvPath = /href="(\/hunting\/[A-Za-z0-9_-]+\.csv)"/.exec(page)?.[1];
    assert.ok(csvPath);
    const csv = await responder.request(csvPath);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(csv.headers.get("content-disposition") ?? "", /attachment/);
    const lines = (await csv.text()).trim().split("\r\n");
    assert.match(lines[0]!, /^TenantId,TenantName,/);
    assert.ok(lines.length > 2);
    const other = new Agent(world.console);
    await other.signIn("viewer", PASSWORDS.viewer);
    assert.equal((await other.request(csvPath)).status, 404, "results belong to who ran the query");

    const broken = (await (
      await responder.json("POST", "/api/v1/hunting", { query: "DeviceInfo | where", tenantIds: [contoso, northwind] })
    ).json()) as { errors: Array<{ tenantId: string }> };
    assert.equal(broken.errors.length, 2, "a syntax error is reported per tenant");
  });
});

describe("operations", () => {
  it("/metrics (signed in or with the bearer token) labels sync lag, alerts, API calls and baseline drift by tenant", async () => {
    await world.store.recordBaselineState({ baselineName: "fleet", tenantId: contoso, revision: "r1", state: "drifted", difference: { update: 1 } });
    await world.store.recordBaselineState({ baselineName: "fleet", tenantId: northwind, revision: "r1", state: "in_sync" });
    const text = await (await responder.request("/metrics")).text();
    assert.match(text, new RegExp(`mde_console_baseline_tenant_state\\{baseline="fleet",tenant="${contoso}",state="drifted"\\} 1`));
    assert.match(text, /mde_console_baseline_tenants\{baseline="fleet",state="in_sync"\} 1/);
    // The Baselines page and its JSON: each tenant's state and what differs.
    await world.store.saveBaselineDocument("fleet", "r1", { name: "fleet" }, "cli:ops");
    const page = await (await responder.request("/baselines/fleet")).text();
    assert.match(page, new RegExp(`data-tenant="${contoso}" data-state="drifted"`));
    assert.match(page, /1 to update/);
    const one = (await (await responder.request(`/api/v1/baselines/fleet/tenants/${contoso}`)).json()) as { state: string; difference: unknown };
    assert.deepEqual([one.state, one.difference], ["drifted", { update: 1 }]);
    const list = (await (await responder.request("/api/v1/baselines")).json()) as { items: Array<{ counts: unknown }> };
    assert.deepEqual(list.items[0]!.counts, { in_sync: 1, drifted: 1, failed: 0 });
    assert.match(text, new RegExp(`mde_console_tenant_sync_lag_seconds\\{tenant="${contoso}"\\} \\d`));
    assert.match(text, new RegExp(`mde_console_alerts\\{tenant="${contoso}",severity="[A-Za-z]+"\\} \\d+`));
    assert.match(text, new RegExp(`mde_console_api_calls_total\\{tenant="${contoso}",status="2xx"\\} [1-9]`));
    assert.match(text, /# TYPE mde_console_api_throttled_total counter/);
    const token = "metrics-token-0123456789";
    const scraped = consoleOf(world, { tls: false, metricsToken: token });
    assert.equal((await scraped.app.request("/metrics")).status, 401);
    assert.equal((await scraped.app.request("/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status, 401);
    assert.equal((await scraped.app.request("/metrics", { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });

  it("a one-time sign-in link signs in as an admin exactly once", async () => {
    const url = new URL(createOneTimeLogin(world.console), "http://127.0.0.1:8080");
    const agent = new Agent(world.console);
    const first = await agent.request(url.pathname + url.search);
    assert.equal(first.status, 302);
    assert.equal(((await (await agent.request("/api/v1/me")).json()) as { role: string }).role, "admin");
    const again = await new Agent(world.console).request(url.pathname + url.search);
    assert.equal(again.status, 401);
  });

  it("real socket: HTTPS with a self-signed certificate for the host, trusted explicitly", async () => {
    const c = consoleOf(world, { port: 0 });
    const { url, certPem } = await c.start();
    try {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(certPem);
      assert.ok(new X509Certificate(certPem).checkIP("127.0.0.1"));
      const dispatcher = new UndiciAgent({ connect: { ca: certPem } });
      const res = await undiciFetch(`${url}/healthz`, { dispatcher });
      assert.equal(res.status, 200);
      assert.ok(res.headers.get("strict-transport-security"));
      const login = await undiciFetch(`${url}/tenants`, { dispatcher, redirect: "manual" });
      assert.equal(login.status, 302);
      await assert.rejects(undiciFetch(`${url}/healthz`), "not trusted without the certificate");
      await dispatcher.close();
    } finally {
      await c.stop();
      await c.stop();
    }
  });
});
