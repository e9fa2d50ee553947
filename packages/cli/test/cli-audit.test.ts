/**
 * Onboarding and the audit log through the real binary against the emulator:
 * `tenants add` checks consent at once (a consented customer is verified, one
 * that has not consented stays pending with the consent link command, exit 0;
 * `--no-verify` asks for no token), and `mde-partner audit` lists every write
 * — tenant add/remove, a refused indicator write — with the operator's name
 * even without `$USER`.
 */
import assert from "node:assert/strict";
import { userInfo } from "node:os";
import { after, before, describe, it } from "node:test";
import { type AuditEntry, type CliHome, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

describe("mde-partner tenants add (verification) and audit", () => {
  let world: EmulatorWorld;
  let cli: CliHome;

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 2, machinesPerTenant: 1, seed: 21 });
    world.emulator.control.revokeConsent(world.info.tenants[2]!.id);
    // No $USER, $USERNAME or MDE_PARTNER_ACTOR: the actor comes from the operating system's account.
    cli = await emulatorHome(world.info, { env: { USER: undefined, USERNAME: undefined, MDE_PARTNER_ACTOR: undefined } });
  });
  after(async () => {
    await world?.stop();
  });

  it("verifies a consented customer when adding it, keeps one that has not consented pending with the link command", async () => {
    const [consented, , notYet] = world.info.tenants;
    let r = await cli.run(["tenants", "add", consented!.id, "--name", "Contoso"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state verified/);

    r = await cli.run(["tenants", "add", notYet!.id, "--name", "Fabrikam"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state pending_consent/);
    assert.match(r.stdout, new RegExp(`next: mde-partner consent link ${notYet!.id}`));
    const list = JSON.parse((await cli.run(["tenants", "list", "--json"])).stdout) as Array<{ id: string; state: string }>;
    assert.equal(list.find((t) => t.id === notYet!.id)?.state, "pending_consent", "never consented is not 'consent revoked'");

    // --no-verify: recorded pending, and no token was asked for it.
    const [, skipped] = world.info.tenants;
    const journalText = () => JSON.stringify(world.emulator.control.journal());
    const before = journalText();
    r = await cli.run(["tenants", "add", skipped!.id, "--name", "Tailspin", "--no-verify", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { state: string }).state, "pending_consent");
    const journal = journalText();
    const tokenCallsFor = (text: string) => (text.match(new RegExp(`${skipped!.id}/oauth2`, "g")) ?? []).length;
    assert.equal(tokenCallsFor(journal), tokenCallsFor(before), "no token request for --no-verify");
  });

  it("lists the audit log with the operator's name, including a refused write, and filters it", async () => {
    const [consented, skipped] = world.info.tenants;
    const me = `cli:${userInfo().username}`;
    // A write the service refuses (an indicator value that is not a SHA-256) is audited as failed.
    let r = await cli.run([
      "indicators",
      "add",
      consented!.id,
      "--type",
      "FileSha256",
      "--value",
      "not-a-hash",
      "--action",
      "Audit",
      "--title",
      "t",
    ]);
    assert.notEqual(r.code, 0);
    r = await cli.run(["tenants", "remove", skipped!.id, "--yes"]);
    assert.equal(r.code, 0, r.stderr);

    r = await cli.run(["audit", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const all = JSON.parse(r.stdout) as AuditEntry[];
    const actions = all.map((e) => `${e.action}:${e.phase}`);
    assert.ok(actions.filter((a) => a === "tenant.add:completed").length >= 3, actions.join(" "));
    assert.ok(actions.includes("tenant.remove:completed"), actions.join(" "));
    assert.ok(actions.includes("indicator.add:failed"), actions.join(" "));
    assert.ok(all.every((e) => e.actor === me), `every CLI write names ${me}: ${[...new Set(all.map((e) => e.actor))].join(", ")}`);

    r = await cli.run(["audit", "--result", "failed", "--ndjson"]);
    const failed = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(failed.map((e) => e.action), ["indicator.add"]);
    assert.equal(failed[0]?.tenantId, consented!.id);

    r = await cli.run(["audit", "--tenant", consented!.id, "--action", "tenant.add", "--since", "1h", "--json"]);
    assert.deepEqual((JSON.parse(r.stdout) as AuditEntry[]).map((e) => e.tenantId), [consented!.id]);
    r = await cli.run(["audit", "--top", "1", "--json"]);
    assert.equal((JSON.parse(r.stdout) as AuditEntry[]).length, 1);

    r = await cli.run(["audit", "--actor", "cli:alice", "--json"], { env: { MDE_PARTNER_ACTOR: "alice" } });
    assert.deepEqual(JSON.parse(r.stdout), []);

    r = await cli.run(["audit"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ACTION/);
    assert.match(r.stdout, /indicator\.add/);

    r = await cli.run(["audit", "--result", "maybe"]);
    assert.equal(r.code, 2);
  });
});
