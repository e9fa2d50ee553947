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
import { emulatorInitArgs, https, type ReadyLine, runCli, startEmulator, tempDir } from "./helpers.js";

interface Entry {
  actor: string;
  action: string;
  phase: string;
  tenantId: string | null;
  result: string | null;
}

describe("mde-partner tenants add (verification) and audit", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let info: ReadyLine;
  const home = tempDir("mde-cli-audit-");
  // No $USER, $USERNAME or MDE_PARTNER_ACTOR: the actor comes from the operating system's account.
  const env = () => ({ MDE_TEST_SECRET: info.partnerApp.clientSecret, USER: undefined, USERNAME: undefined, MDE_PARTNER_ACTOR: undefined });
  const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { home, env: { ...env(), ...extra } });

  before(async () => {
    emulator = await startEmulator(["--tenants", "3", "--alerts-per-tenant", "2", "--machines-per-tenant", "1", "--seed", "21"]);
    info = emulator.info;
    const last = info.tenants[2]!;
    const r = await https(`${info.controlUrl}/tenants/${last.id}/consent`, emulator.ca, { method: "DELETE" });
    assert.ok(r.status < 300, `revoke consent: ${r.status}`);
    assert.equal((await cli(emulatorInitArgs(info, "MDE_TEST_SECRET"))).code, 0);
  });
  after(async () => {
    await emulator?.stop();
  });

  it("verifies a consented customer when adding it, keeps one that has not consented pending with the link command", async () => {
    const [consented, , notYet] = info.tenants;
    let r = await cli(["tenants", "add", consented!.id, "--name", "Contoso"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state verified/);

    r = await cli(["tenants", "add", notYet!.id, "--name", "Fabrikam"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state pending_consent/);
    assert.match(r.stdout, new RegExp(`next: mde-partner consent link ${notYet!.id}`));
    const list = JSON.parse((await cli(["tenants", "list", "--json"])).stdout) as Array<{ id: string; state: string }>;
    assert.equal(list.find((t) => t.id === notYet!.id)?.state, "pending_consent", "never consented is not 'consent revoked'");

    // --no-verify: recorded pending, and no token was asked for it.
    const [, skipped] = info.tenants;
    const before = emulator.info && (await https(`${info.controlUrl}/journal`, emulator.ca)).body;
    r = await cli(["tenants", "add", skipped!.id, "--name", "Tailspin", "--no-verify", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { state: string }).state, "pending_consent");
    const journal = (await https(`${info.controlUrl}/journal`, emulator.ca)).body;
    const tokenCallsFor = (text: string) => (text.match(new RegExp(`${skipped!.id}/oauth2`, "g")) ?? []).length;
    assert.equal(tokenCallsFor(journal), tokenCallsFor(before), "no token request for --no-verify");
  });

  it("lists the audit log with the operator's name, including a refused write, and filters it", async () => {
    const [consented, skipped] = info.tenants;
    const me = `cli:${userInfo().username}`;
    // A write the service refuses (an indicator value that is not a SHA-256) is audited as failed.
    let r = await cli([
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
    r = await cli(["tenants", "remove", skipped!.id, "--yes"]);
    assert.equal(r.code, 0, r.stderr);

    r = await cli(["audit", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const all = JSON.parse(r.stdout) as Entry[];
    const actions = all.map((e) => `${e.action}:${e.phase}`);
    assert.ok(actions.filter((a) => a === "tenant.add:completed").length >= 3, actions.join(" "));
    assert.ok(actions.includes("tenant.remove:completed"), actions.join(" "));
    assert.ok(actions.includes("indicator.add:failed"), actions.join(" "));
    assert.ok(all.every((e) => e.actor === me), `every CLI write names ${me}: ${[...new Set(all.map((e) => e.actor))].join(", ")}`);

    r = await cli(["audit", "--result", "failed", "--ndjson"]);
    const failed = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Entry);
    assert.deepEqual(failed.map((e) => e.action), ["indicator.add"]);
    assert.equal(failed[0]?.tenantId, consented!.id);

    r = await cli(["audit", "--tenant", consented!.id, "--action", "tenant.add", "--since", "1h", "--json"]);
    assert.deepEqual((JSON.parse(r.stdout) as Entry[]).map((e) => e.tenantId), [consented!.id]);
    r = await cli(["audit", "--top", "1", "--json"]);
    assert.equal((JSON.parse(r.stdout) as Entry[]).length, 1);

    r = await cli(["audit", "--actor", "cli:alice", "--json"], { MDE_PARTNER_ACTOR: "alice" });
    assert.deepEqual(JSON.parse(r.stdout), []);

    r = await cli(["audit"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ACTION/);
    assert.match(r.stdout, /indicator\.add/);

    r = await cli(["audit", "--result", "maybe"]);
    assert.equal(r.code, 2);
  });
});
