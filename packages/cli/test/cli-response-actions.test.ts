/**
 * `alerts related`, `machines offboard|stop-and-quarantine|collect|cancel`
 * through the real binary against the emulator: what an operator sees (the
 * related view, a relation refused for want of its permission while the others
 * show, exit 3), offboarding refused without a terminal unless --yes (nothing
 * sent, nothing recorded), a SHA-1 checked locally, and every action — a cancel
 * too — in the audit log. A hostile tenant's related view prints no raw control.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AuditEntry, type CliHome, type CliRun, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

interface Related {
  tenantId: string;
  alertId: string;
  machine: { id: string; computerDnsName: string } | null;
  user: { id: string } | null;
  files: Array<{ sha1: string }>;
  ips: Array<{ id: string }>;
  domains: Array<{ host: string }>;
  errors: Array<{ relation: string; code: string }>;
}

const oneLineError = (r: CliRun) => {
  assert.match(r.stderr, /^error: .+\nhint: .+\n$/, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
};

describe("mde-partner alerts related and the remaining response actions", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let tenant: string;
  let hostile: string;
  let windows: string[];
  let alertId: string;

  before(async () => {
    // Actions stay Pending for a minute: a cancel finds them open.
    world = await servedEmulator({ tenants: [{}, { hostile: true }], alertsPerTenant: 8, machinesPerTenant: 6, seed: 44, actionPendingMs: 60_000 });
    tenant = world.info.tenants.find((t) => !t.hostile)!.id;
    hostile = world.info.tenants.find((t) => t.hostile)!.id;
    cli = await emulatorHome(world.info, {
      tenants: [
        { id: tenant, name: "Contoso" },
        { id: hostile, name: "Hostile Corp" },
      ],
    });
    const machines = await cli.json<Array<{ id: string; osPlatform: string }>>(["machines", "list", "--tenant", tenant, "--json"]);
    windows = machines.filter((m) => /^Windows/i.test(m.osPlatform)).map((m) => m.id);
    assert.ok(windows.length >= 3, "the emulator has three Windows machines");
    const alerts = await cli.json<Array<{ id: string; machineId: string | null }>>(["alerts", "list", "--tenant", tenant, "--json"]);
    alertId = alerts.find((a) => a.machineId)!.id;
  });
  after(async () => {
    await world?.stop();
  });

  it("shows an alert's machine, user, files, IPs and domains; a refused relation is named, the others still shown", async () => {
    const related = await cli.json<Related>(["alerts", "related", tenant, alertId, "--json"]);
    assert.equal(related.alertId, alertId);
    assert.ok(related.machine?.id, "the alert's machine");
    assert.ok(Array.isArray(related.files) && Array.isArray(related.ips) && Array.isArray(related.domains));
    assert.deepEqual(related.errors, []);

    let r = await cli.ok(["alerts", "related", tenant, alertId]);
    assert.match(r.stdout, /^machine$/m);
    assert.match(r.stdout, new RegExp(`id\\s+${related.machine!.id}`));
    assert.match(r.stdout, new RegExp(`^files \\(${related.files.length}\\)$`, "m"));
    for (const f of related.files) assert.ok(r.stdout.includes(f.sha1), `file ${f.sha1} listed`);

    // Without File.Read.All the files cannot be read: said once, the rest is there, exit 3.
    const roles = world.info.tenants.find((t) => t.id === tenant)!.roles.filter((role) => role !== "File.Read.All");
    world.emulator.control.setConsent(tenant, { roles });
    try {
      r = await cli.expect(3, ["alerts", "related", tenant, alertId, "--json"]);
      const partial = JSON.parse(r.stdout) as Related;
      assert.deepEqual(
        partial.errors.map((e) => [e.relation, e.code]),
        [["files", "ERR_MDE_FORBIDDEN"]],
      );
      assert.equal(partial.machine?.id, related.machine!.id);
      assert.match(r.stderr, /^error: alert .*: its files could not be read: .*ERR_MDE_FORBIDDEN.*\nhint: add the permission/m);
    } finally {
      world.emulator.control.setConsent(tenant, {});
    }

    r = await cli.expect(2, ["alerts", "related", tenant, "da6374'/../x"]);
    oneLineError(r);
    r = await cli.expect(2, ["alerts", "related", tenant, "da637000000000000000_1"]);
    assert.match(r.stderr, /does not exist in tenant Contoso/);
  });

  it("prints a hostile tenant's related view with every control character made visible", async () => {
    const alerts = await cli.json<Array<{ id: string; machineId: string | null }>>(["alerts", "list", "--tenant", hostile, "--json"]);
    let seen = 0;
    for (const a of alerts.filter((x) => x.machineId).slice(0, 3)) {
      const r = await cli.run(["alerts", "related", hostile, a.id]);
      assert.ok(r.code === 0 || r.code === 3, r.stderr);
      assert.equal(r.stdout.search(RAW_CONTROL), -1, "no raw control on stdout");
      assert.equal(r.stderr.search(RAW_CONTROL), -1, "no raw control on stderr");
      if (r.stdout.includes("\\x1b")) seen++;
    }
    assert.ok(seen > 0, "the hostile tenant's text was there, neutralised");
  });

  it("offboards only with --yes when there is no terminal, checks the SHA-1, cancels, and audits every one", async () => {
    const [offboarded, quarantined, collected] = windows;
    const auditOf = async () => cli.json<AuditEntry[]>(["audit", "--tenant", tenant, "--json"]);
    const before = (await auditOf()).length;

    // No terminal, no --yes: refused before anything is sent or recorded.
    let r = await cli.expect(2, ["machines", "offboard", tenant, offboarded!, "--comment", "decommissioned"]);
    assert.match(r.stderr, /^error: machines offboard cannot be undone and there is no terminal to ask\nhint: run it again with --yes/);
    assert.equal((await auditOf()).length, before, "nothing recorded");
    const offboard = await cli.json<Array<{ result: string; machineAction: { type: string; id: string } }>>([
      "machines",
      "offboard",
      tenant,
      offboarded!,
      "--comment",
      "decommissioned",
      "--yes",
      "--json",
    ]);
    assert.deepEqual([offboard[0]!.result, offboard[0]!.machineAction.type], ["created", "Offboard"]);

    r = await cli.expect(2, ["machines", "stop-and-quarantine", tenant, quarantined!, "--comment", "INC-9", "--sha1", "abc", "--yes"]);
    oneLineError(r);
    assert.match(r.stderr, /--sha1 must be 40 hex characters/);
    r = await cli.expect(2, ["machines", "stop-and-quarantine", tenant, quarantined!, "--comment", "INC-9", "--yes"]);
    assert.match(r.stderr, /needs --sha1/);
    const sha1 = "A".repeat(8) + "0123456789abcdef0123456789abcdef";
    const quarantine = await cli.json<Array<{ machineAction: { type: string; relatedFileInfo: { fileIdentifier: string } } }>>([
      "machines",
      "stop-and-quarantine",
      tenant,
      quarantined!,
      "--comment",
      "INC-9",
      "--sha1",
      sha1,
      "--yes",
      "--json",
    ]);
    assert.equal(quarantine[0]!.machineAction.type, "StopAndQuarantineFile");
    assert.equal(quarantine[0]!.machineAction.relatedFileInfo.fileIdentifier, sha1.toLowerCase());

    const collect = await cli.json<Array<{ machineAction: { id: string; status: string } }>>([
      "machines",
      "collect",
      tenant,
      collected!,
      "--comment",
      "forensics",
      "--yes",
      "--json",
    ]);
    const actionId = collect[0]!.machineAction.id;
    r = await cli.expect(2, ["machines", "cancel", tenant, actionId]);
    assert.match(r.stderr, /cancel needs --comment/);
    r = await cli.expect(2, ["machines", "cancel", tenant, "not-a-guid", "--comment", "x"]);
    oneLineError(r);
    r = await cli.ok(["machines", "cancel", tenant, actionId, "--comment", "wrong machine"]);
    assert.match(r.stdout, /^status\s+Cancelled$/m);
    assert.match(r.stdout, /^cancellationComment\s+wrong machine$/m);
    // Cancelling again: the action is final now, the service says so.
    r = await cli.expect(2, ["machines", "cancel", tenant, actionId, "--comment", "again"]);
    assert.match(r.stderr, /Cancelled and cannot be canceled/);

    const entries = (await auditOf()).slice(0, (await auditOf()).length - before);
    const phases = (action: string) => entries.filter((e) => e.action === action).map((e) => e.phase).sort();
    assert.deepEqual(phases("machine.offboard"), ["completed", "requested"]);
    assert.deepEqual(phases("machine.quarantine"), ["completed", "requested"]);
    assert.deepEqual(phases("machine.collect"), ["completed", "requested"]);
    assert.deepEqual(phases("machine.cancel"), ["completed", "failed"]);
    assert.ok(entries.filter((e) => e.action === "machine.cancel").every((e) => e.target === actionId));
  });
});
