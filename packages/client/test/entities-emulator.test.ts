/**
 * The files, IPs, domains, users and investigations resources, `alerts.createByReference` and
 * `machines.findByIpLegacy` against the emulator: paths and encodings, models, permissions, and the
 * client-side checks that refuse bad input before a request is sent.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Alert, MdeForbiddenError, MdeNotFoundError, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { type EmulatorWorld, emulatorWorld, partnerFor } from "@mde-partner/test-kit";

let world: EmulatorWorld;
let partner: PartnerClient<PartnerTenant>;
let tenant: PartnerTenant;
let alerts: Alert[] = [];

before(async () => {
  world = await emulatorWorld({
    seed: "entities-client",
    tenants: [{ alerts: 120, machines: 12 }, { hostile: true, alerts: 30, machines: 5 }, { alerts: 5, machines: 2, roles: ["Alert.Read.All"] }],
    actionPendingMs: 50,
    actionInProgressMs: 50,
    rateLimits: false,
  });
  partner = partnerFor(world);
  tenant = partner.tenant(world.info.tenants[0]!.id);
  alerts = (await tenant.mde.alerts.list({ expand: ["evidence"] })).value;
});
after(() => world.stop());

type Ev = NonNullable<Alert["evidence"]>[number];
const evidence = (a: Alert): Ev[] => a.evidence ?? [];
const ids = (items: ReadonlyArray<{ id: string }>) => items.map((i) => i.id).sort();
/** Collects every item of a paged result. */
async function all<T>(paged: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of paged) out.push(item);
  return out;
}

describe("files", () => {
  it("gets a file by SHA-1 and SHA-256, lists its alerts and machines, reads its stats", async () => {
    const alert = alerts.find((a) => evidence(a).some((e) => e.sha1 && e.sha256))!;
    const ev = evidence(alert).find((e) => e.sha1 && e.sha256)!;
    const file = await tenant.mde.files.get(ev.sha1!);
    assert.equal(file.sha1, ev.sha1);
    assert.equal(file.sha256, ev.sha256);
    assert.equal((await tenant.mde.files.get(ev.sha256!)).sha1, ev.sha1);
    const related = await all(tenant.mde.files.listAlerts(ev.sha1!));
    assert.ok(related.some((a) => a.id === alert.id));
    const machines = await all(tenant.mde.files.listMachines(ev.sha1!));
    assert.ok(machines.some((m) => m.id === alert.machineId));
    const stats = await tenant.mde.files.getStats(ev.sha1!, { lookBackHours: 720 });
    assert.equal(stats.sha1, ev.sha1);
    assert.equal(stats.organizationPrevalence, machines.length);
    assert.ok(stats.topFileNames.includes(ev.fileName!));
  });

  it("an unknown file: get is MdeNotFoundError, related lists are empty", async () => {
    const unknown = "0".repeat(40);
    await assert.rejects(tenant.mde.files.get(unknown), MdeNotFoundError);
    assert.deepEqual(await all(tenant.mde.files.listAlerts(unknown)), []);
    assert.deepEqual(await all(tenant.mde.files.listMachines(unknown)), []);
  });

  it("refuses bad hashes and lookBackHours before sending", () => {
    assert.throws(() => tenant.mde.files.get("not-a-hash"), /invalid file hash/);
    assert.throws(() => tenant.mde.files.listAlerts("a".repeat(64)), /expected SHA1 hex/);
    assert.throws(() => tenant.mde.files.getStats("a".repeat(40), { lookBackHours: 721 }), /lookBackHours/);
  });
});

describe("IPs and domains", () => {
  it("lists an evidence IP's alerts and reads its stats; an unknown IP has prevalence 0", async () => {
    const alert = alerts.find((a) => evidence(a).some((e) => e.ipAddress))!;
    const ip = evidence(alert).find((e) => e.ipAddress)!.ipAddress!;
    assert.ok((await all(tenant.mde.ips.listAlerts(ip))).some((a) => a.id === alert.id));
    const stats = await tenant.mde.ips.getStats(ip);
    assert.equal(stats.ipAddress, ip);
    assert.ok(stats.organizationPrevalence >= 1);
    assert.equal((await tenant.mde.ips.getStats("2001:db8::7")).organizationPrevalence, 0);
    assert.throws(() => tenant.mde.ips.listAlerts("10.0.0.300"), /invalid IP address/);
  });

  it("lists a URL host's alerts and machines and reads its stats", async () => {
    const alert = alerts.find((a) => evidence(a).some((e) => e.url))!;
    const host = new URL(evidence(alert).find((e) => e.url)!.url!).hostname;
    const related = await all(tenant.mde.domains.listAlerts(host));
    assert.ok(related.some((a) => a.id === alert.id));
    const machines = await all(tenant.mde.domains.listMachines(host));
    const stats = await tenant.mde.domains.getStats(host, { lookBackHours: 720 });
    assert.equal(stats.host, host);
    assert.equal(stats.organizationPrevalence, machines.length);
    assert.throws(() => tenant.mde.domains.listAlerts("bad domain/../x"), /invalid domain name/);
  });
});

describe("users", () => {
  it("lists a user's alerts and machines by account name", async () => {
    const alert = alerts.find((a) => a.relatedUser)!;
    const name = alert.relatedUser!.userName;
    const related = await all(tenant.mde.users.listAlerts(name));
    assert.ok(related.some((a) => a.id === alert.id));
    assert.ok(related.every((a) => a.relatedUser?.userName === name || evidence(a).some((e) => e.accountName === name)));
    assert.ok((await all(tenant.mde.users.listMachines(name))).some((m) => m.id === alert.machineId));
    assert.deepEqual(await all(tenant.mde.users.listAlerts("nobody-here")), []);
  });

  it("refuses domain\\user and UPNs with a hint", () => {
    assert.throws(() => tenant.mde.users.listAlerts("contoso\\user1"), /without its domain/);
    assert.throws(() => tenant.mde.users.listAlerts("user1@contoso.com"), /not the UPN/);
    assert.throws(() => tenant.mde.users.listAlerts(""), /non-empty/);
  });

  it("a hostile tenant's user names travel as one encoded path segment and come back verbatim", async () => {
    const hostile = partner.tenant(world.info.tenants[1]!.id);
    const list = (await hostile.mde.alerts.list({ expand: ["evidence"] })).value;
    const names = [...new Set(list.flatMap((a) => (a.relatedUser ? [a.relatedUser.userName] : [])))];
    assert.ok(names.some((n) => /[/?#%'"<]/.test(n)), "some name needs encoding");
    for (const name of names) {
      const expected = list.filter((a) => a.relatedUser?.userName === name || evidence(a).some((e) => e.entityType === "User" && e.accountName === name));
      assert.deepEqual(ids(await all(hostile.mde.users.listAlerts(name))), ids(expected), `alerts of ${JSON.stringify(name)}`);
    }
  });
});

describe("investigations", () => {
  it("lists with a filter, gets by id and by triggering alert id", async () => {
    const alert = alerts.find((a) => a.investigationId !== null)!;
    const inv = await tenant.mde.investigations.get(String(alert.investigationId));
    assert.equal(inv.triggeringAlertId, alert.id);
    assert.equal(inv.state, alert.investigationState);
    assert.equal((await tenant.mde.investigations.get(alert.id)).id, inv.id);
    const filtered = await tenant.mde.investigations.list({ filter: (f) => f.eq("machineId", alert.machineId!), top: 50 });
    assert.ok(filtered.value.length > 0 && filtered.value.every((i) => i.machineId === alert.machineId));
    const page = await tenant.mde.investigations.list({ top: 2, skip: 1 });
    assert.equal(page.value.length, 2);
  });

  it("starts an investigation (201) that runs to a final state", async () => {
    const machine = (await tenant.mde.machines.list()).value.find((m) => m.osPlatform === "Windows10" || m.osPlatform === "Windows11")!;
    const inv = await tenant.mde.investigations.start(machine.id, { comment: "Check this device" });
    assert.equal(inv.state, "Queued");
    assert.equal(inv.machineId, machine.id);
    await new Promise((r) => setTimeout(r, 150));
    const done = await tenant.mde.investigations.get(inv.id);
    assert.ok(["Benign", "SuccessfullyRemediated"].includes(done.state), done.state);
    assert.throws(() => tenant.mde.investigations.start(machine.id, { comment: "" }), /comment/);
  });
});

describe("createByReference and findByIpLegacy", () => {
  it("creates an alert from a hunting event and finds it through the entity lookups", async () => {
    const machines = (await tenant.mde.machines.list()).value.filter((m) => m.osPlatform.startsWith("Windows"));
    const inList = machines.map((m) => `'${m.id}'`).join(",");
    // The event as Graph runHuntingQuery returns it (the successor of legacy hunting).
    const { results } = await tenant.hunt<{ Timestamp: string; DeviceId: string; ReportId: number; SHA1: string }>(
      `DeviceProcessEvents | where DeviceId in (${inList}) | take 1 | project Timestamp, DeviceId, ReportId, SHA1`,
    );
    const event = results[0]!;
    const created = await tenant.mde.alerts.createByReference({
      machineId: event.DeviceId,
      eventTime: event.Timestamp,
      reportId: String(event.ReportId),
      severity: "High",
      title: "Partner detection",
      description: "Raised from a hunting query.",
      recommendedAction: "Isolate the device.",
      category: "Execution",
    });
    assert.equal(created.title, "Partner detection");
    assert.equal(created.status, "New");
    assert.ok((await all(tenant.mde.files.listAlerts(event.SHA1))).some((a) => a.id === created.id));
    assert.equal((await tenant.mde.investigations.get(created.id)).triggeringAlertId, created.id);
    await assert.rejects(
      tenant.mde.alerts.createByReference({
        machineId: event.DeviceId,
        eventTime: event.Timestamp,
        reportId: "1",
        severity: "High",
        title: "No such event",
        description: "x",
        recommendedAction: "x",
        category: "Execution",
      }),
      MdeNotFoundError,
    );
    assert.throws(() => tenant.mde.alerts.createByReference({ machineId: event.DeviceId } as never), /eventTime/);
  });

  it("finds machines by IP with the older find() form", async () => {
    const machine = (await tenant.mde.machines.list()).value.find((m) => m.lastIpAddress)!;
    const found = await all(tenant.mde.machines.findByIpLegacy(machine.lastIpAddress!, new Date(Date.now() - 3_600_000)));
    const row = found.find((m) => m.id === machine.id);
    assert.ok(row);
    assert.equal(row.computerDnsName, machine.computerDnsName);
    assert.equal(row.osPlatform, machine.osPlatform);
    assert.throws(() => tenant.mde.machines.findByIpLegacy("nope", new Date()), /invalid IP address/);
  });
});

describe("permissions", () => {
  it("a tenant that granted only Alert.Read.All gets MdeForbiddenError naming what is missing", async () => {
    const limited = partner.tenant(world.info.tenants[2]!.id);
    await assert.rejects(limited.mde.files.get("a".repeat(40)), (error: unknown) => {
      assert.ok(error instanceof MdeForbiddenError);
      assert.deepEqual(error.missingPermissions, ["File.Read.All"]);
      return true;
    });
    await assert.rejects(all(limited.mde.domains.listAlerts("example.com")), MdeForbiddenError);
    assert.deepEqual(await all(limited.mde.ips.listAlerts("192.0.2.1")), [], "IP alerts need only Alert.Read.All");
  });
});
