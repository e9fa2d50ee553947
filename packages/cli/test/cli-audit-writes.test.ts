/**
 * Every CLI write is in the audit log, success or failure, with the operator's name: each write
 * command runs once so that it succeeds and once so that it is refused, then `mde-partner audit
 * --json` must show both outcomes of each, under MDE_PARTNER_ACTOR. A write path that forgets
 * its audit entry fails this test.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AuditEntry, type CliHome, emulatorHome, type EmulatorWorld, servedEmulator, tempDir } from "./helpers.js";

describe("every CLI write is audited, succeeded and failed", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const refused = async (args: string[], input?: string) => {
    const r = await cli.run(args, input !== undefined ? { input } : {});
    assert.notEqual(r.code, 0, `${args.join(" ")} should fail: ${r.stdout}`);
    return r;
  };
  const ok = (args: string[], input?: string) => cli.ok(args, input !== undefined ? { input } : {});

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 2, machinesPerTenant: 8, seed: 41, actionPendingMs: 60_000 });
  });
  after(async () => {
    await world?.stop();
  });

  it("records each write with the operator, completed and failed", async () => {
    const t = world.info.tenants[0]!.id;
    cli = await emulatorHome(world.info, { env: { MDE_PARTNER_ACTOR: "alice" }, tenants: [{ id: t, name: "Contoso" }] });

    await ok(["users", "add", "bob", "--role", "viewer"], "a-long-enough-password");
    await refused(["users", "add", "carol", "--role", "viewer"], "short");
    await ok(["users", "remove", "bob"]);
    await refused(["users", "remove", "nobody"]);

    await ok(["webhook", "set", "https://hooks.example.com/mde?token=abc"]);
    await refused(["webhook", "set", "http://10.0.0.5/hook"]);
    await ok(["webhook", "clear"]);

    await ok(["consent", "link", t, "--v2", "--redirect-uri", "https://console.example.com/consent/callback"]);
    await refused(["consent", "link", t, "--v2", "--redirect-uri", "javascript:alert(1)"]);

    const alerts = JSON.parse((await ok(["alerts", "list", "--tenant", t, "--json"])).stdout) as Array<{ id: string }>;
    await ok(["alerts", "update", t, alerts[0]!.id, "--status", "InProgress", "--comment", "looking"]);
    await refused(["alerts", "update", t, "da999999999999999999_1", "--status", "Resolved"]);

    const machines = JSON.parse((await ok(["machines", "list", "--tenant", t, "--json"])).stdout) as Array<{ id: string; osPlatform?: string }>;
    const windows = machines.find((m) => /^Windows/i.test(m.osPlatform ?? ""));
    assert.ok(windows, "a Windows machine to scan");
    await ok(["machines", "scan", t, windows.id, "--comment", "INC-1", "--yes"]);
    await refused(["machines", "scan", t, "f".repeat(40), "--comment", "INC-2", "--yes"]);

    // The other response actions, a cancel, an investigation and the live response library.
    const [, collectOn, quarantineOn, offboardOn] = machines.filter((m) => /^Windows/i.test(m.osPlatform ?? ""));
    assert.ok(offboardOn, "four Windows machines");
    const collected = JSON.parse((await ok(["machines", "collect", t, collectOn!.id, "--comment", "INC-3", "--yes", "--json"])).stdout) as Array<{
      machineAction: { id: string };
    }>;
    await refused(["machines", "collect", t, "f".repeat(40), "--comment", "INC-3", "--yes"]);
    await ok(["machines", "cancel", t, collected[0]!.machineAction.id, "--comment", "not needed"]);
    await refused(["machines", "cancel", t, "00000000-0000-0000-0000-000000000000", "--comment", "none such"]);
    await ok(["machines", "stop-and-quarantine", t, quarantineOn!.id, "--sha1", "b".repeat(40), "--comment", "INC-4", "--yes"]);
    await refused(["machines", "stop-and-quarantine", t, "f".repeat(40), "--sha1", "b".repeat(40), "--comment", "INC-4", "--yes"]);
    await ok(["machines", "offboard", t, offboardOn.id, "--comment", "retired", "--yes"]);
    await refused(["machines", "offboard", t, "f".repeat(40), "--comment", "retired", "--yes"]);
    await ok(["investigations", "start", t, windows.id, "--comment", "INC-5"]);
    await refused(["investigations", "start", t, "f".repeat(40), "--comment", "INC-5"]);
    world.emulator.control.setConsent(t, { roles: [...world.info.tenants[0]!.roles, "Library.Manage"] });
    const script = join(tempDir("mde-cli-audit-lib-"), "triage.ps1");
    writeFileSync(script, "Get-Process\n");
    await ok(["library", "upload", t, script]);
    await refused(["library", "upload", t, script]);
    await ok(["library", "delete", t, "triage.ps1", "--yes"]);
    await refused(["library", "delete", t, "triage.ps1", "--yes"]);

    const added = await ok(["indicators", "add", t, "--type", "FileSha256", "--value", "a".repeat(64), "--action", "Audit", "--title", "t", "--json"]);
    await ok(["indicators", "remove", t, String((JSON.parse(added.stdout) as { id: string | number }).id)]);
    await refused(["indicators", "remove", t, "999999"]);

    const r = await ok(["audit", "--top", "1000", "--json"]);
    const entries = JSON.parse(r.stdout) as AuditEntry[];
    const seen = new Set(entries.map((e) => `${e.action}:${e.phase}`));
    const expected = [
      "config.init:completed",
      "tenant.add:completed",
      "operator.save:completed",
      "operator.save:failed",
      "operator.remove:completed",
      "operator.remove:failed",
      "webhook.set:completed",
      "webhook.set:failed",
      "webhook.clear:completed",
      "consent.link:completed",
      "consent.link:failed",
      "alert.update:completed",
      "alert.update:failed",
      "machine.scan:completed",
      "machine.scan:failed",
      "machine.collect:completed",
      "machine.collect:failed",
      "machine.cancel:completed",
      "machine.cancel:failed",
      "machine.quarantine:completed",
      "machine.quarantine:failed",
      "machine.offboard:completed",
      "machine.offboard:failed",
      "investigation.start:completed",
      "investigation.start:failed",
      "library.upload:completed",
      "library.upload:failed",
      "library.delete:completed",
      "library.delete:failed",
      "indicator.add:completed",
      "indicator.remove:completed",
      "indicator.remove:failed",
    ];
    const missing = expected.filter((e) => !seen.has(e));
    assert.deepEqual(missing, [], `not in the audit log: ${missing.join(", ")} (have ${[...seen].join(", ")})`);
    assert.ok(
      entries.every((e) => e.actor === "cli:alice"),
      `every entry names the operator: ${[...new Set(entries.map((e) => e.actor))].join(", ")}`,
    );
    // Failures say why; the webhook's query (where a token may ride) is not in the log.
    const failedUpdate = entries.find((e) => e.action === "alert.update" && e.phase === "failed");
    assert.match(failedUpdate?.result ?? "", /\S/);
    assert.equal(failedUpdate?.tenantId, t);
    assert.ok(!r.stdout.includes("token=abc"), "the webhook URL's query is not audited");
    assert.match(entries.find((e) => e.action === "operator.save" && e.phase === "failed")?.result ?? "", /12 characters/);
  });
});
