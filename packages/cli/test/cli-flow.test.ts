/**
 * The partner flow end to end through the real binary against the emulator
 * (on a real HTTPS socket, served by the test's process): init → tenants add ×3 → consent link → consent on the
 * emulator's consent page → tenants verify --all → token inspect → alerts list
 * --all --ndjson, which must return exactly the emulator's alerts of the
 * consented tenants. Along the way: the client secret (given through the
 * environment) must appear in no output, no file of the home, no --debug log.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cliHome, consentThroughPage, emulatorInitArgs, type EmulatorWorld, servedEmulator, tempDir } from "./helpers.js";

describe("mde-partner: the partner flow against the emulator", () => {
  let world: EmulatorWorld;
  const home = tempDir("mde-cli-flow-");
  const cli = cliHome(home, () => ({ MDE_TEST_CLIENT_SECRET: world.info.partnerApp.clientSecret }));

  before(async () => {
    world = await servedEmulator({ tenants: 4, alertsPerTenant: 25, machinesPerTenant: 3, seed: 11 });
    // Two customers have not consented yet: the third will through the consent page, the fourth never.
    for (const t of world.info.tenants.slice(2)) world.emulator.control.revokeConsent(t.id);
  });
  after(async () => {
    await world?.stop();
  });

  it("walks init → add → consent → verify → inspect → alerts, and alerts match the emulator exactly", async () => {
    const [t0, t1, t2] = world.info.tenants;
    let r = await cli.run([
      ...emulatorInitArgs(world.info, "MDE_TEST_CLIENT_SECRET"),
      "--consent-redirect-uri",
      world.info.partnerApp.redirectUris[0]!,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
    assert.equal(config.version, 1);
    assert.deepEqual(config.credential, { type: "secret-env", env: "MDE_TEST_CLIENT_SECRET" });
    assert.equal(statSync(join(home, "config.json")).mode & 0o777, 0o600);

    for (const t of [t0!, t1!, t2!]) {
      r = await cli.run(["tenants", "add", t.id, "--name", t.name]);
      assert.equal(r.code, 0, r.stderr);
    }
    r = await cli.run(["tenants", "list", "--json"]);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Array<{ id: string; state: string }>).map((t) => t.state),
      // Added customers are checked at once: the two who had consented are verified, the third waits.
      ["verified", "verified", "pending_consent"],
    );

    // The link the customer's admin gets, then the admin accepts it on the consent page.
    r = await cli.run(["consent", "link", t2!.id, "--v2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const link = JSON.parse(r.stdout) as { url: string; tenantId: string };
    assert.equal(link.tenantId, t2!.id);
    assert.match(link.url, new RegExp(`/${t2!.id}/v2.0/adminconsent\\?client_id=${world.info.partnerApp.clientId}`));
    const redirect = await consentThroughPage(link.url, t2!.id, world.ca);
    assert.equal(redirect.searchParams.get("admin_consent"), "True");
    assert.equal(redirect.searchParams.get("tenant"), t2!.id);
    assert.ok(redirect.searchParams.get("state"), "the v2 link carries a state");

    r = await cli.run(["tenants", "verify", "--all"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    r = await cli.run(["tenants", "list", "--json"]);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Array<{ state: string }>).map((t) => t.state),
      ["verified", "verified", "verified"],
    );

    r = await cli.run(["token", "inspect", t2!.id, "--require", "Alert.Read.All", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      summary: { tenantId: string; roles: string[] };
      checks: Array<{ name: string; status: string }>;
    };
    assert.equal(report.ok, true);
    assert.equal(report.summary.tenantId, t2!.id);
    assert.ok(report.summary.roles.includes("Alert.Read.All"));
    assert.equal(report.checks.find((c) => c.name === "roles")?.status, "pass");
    assert.equal(report.checks.find((c) => c.name === "signature")?.status, "pass");

    r = await cli.run(["alerts", "list", "--all", "--ndjson"]);
    assert.equal(r.code, 0, r.stderr);
    const alerts = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { tenantId: string; id: string; lastUpdateTime: string });
    for (const t of [t0!, t1!, t2!]) {
      const mine = alerts.filter((a) => a.tenantId === t.id);
      const truth = world.emulator.control.groundTruth(t.id);
      assert.equal(mine.length, truth.alerts, `alerts of ${t.name}`);
      const lines = mine.map((a) => `${a.id}\t${a.lastUpdateTime}\n`).sort();
      assert.equal(
        createHash("sha256").update(lines.join("")).digest("hex"),
        truth.checksum,
        `the same alerts as the emulator for ${t.name}`,
      );
    }
    assert.equal(alerts.length, 3 * 25);
  });

  it("reports an unconsented tenant with its consent link and exit 3, while the others still answer", async () => {
    const t3 = world.info.tenants[3]!;
    let r = await cli.run(["tenants", "add", t3.id, "--name", t3.name]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli.run(["tenants", "verify", "--all"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`error: tenant .*${t3.id}`));
    assert.match(r.stderr, /hint: .*consent/i);
    // --all leaves the tenant that has not consented out, as sync does, and says so; naming it queries it.
    r = await cli.run(["alerts", "list", "--all", "--ndjson"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`skipped tenant .*\\(${t3.id}\\), pending_consent: consent not given yet`));
    r = await cli.run(["alerts", "list", "--tenant", world.info.tenants.slice(0, 4).map((t) => t.id).join(","), "--ndjson"]);
    assert.equal(r.code, 3);
    const tenants = new Set(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { tenantId: string }).tenantId),
    );
    assert.deepEqual(
      [...tenants].sort(),
      world.info.tenants
        .slice(0, 3)
        .map((t) => t.id)
        .sort(),
    );
    assert.match(r.stderr, /ERR_MDE_CONSENT_REQUIRED/);
  });

  it("prints a token for piping and a table for people, and runs sync and export on the engine", async () => {
    const t0 = world.info.tenants[0]!;
    let r = await cli.run(["token", "get", t0.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(r.stderr, "", "no TTY warning when stdout is a pipe");
    // `-` reads the token from stdin: it never has to be in argv.
    r = await cli.run(["token", "inspect", "-", "--tenant", t0.id, "--require", "Machine.Read.All"], { input: r.stdout });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /signature\s+pass/);
    assert.match(r.stdout, new RegExp(`tid\\s+${t0.id}`));

    r = await cli.run([
      "sync",
      "--once",
      "--tenant",
      world.info.tenants
        .slice(0, 3)
        .map((t) => t.id)
        .join(","),
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli.run(["export", "alerts", "--format", "ndjson", "--tenant", t0.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, 25);
    r = await cli.run(["hunt", "DeviceInfo | take 2", "--tenant", t0.id, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const hunt = JSON.parse(r.stdout) as { schema: Array<{ name: string }>; rows: Array<{ TenantId: string }> };
    assert.deepEqual(
      hunt.schema.slice(0, 2).map((c) => c.name),
      ["TenantId", "TenantName"],
    );
    assert.ok(hunt.rows.every((row) => row.TenantId === t0.id));
  });

  it("never shows the client secret: not in any output, not in the home's files, not with --debug", async () => {
    const r = await cli.run(["--debug", "alerts", "list", "--tenant", world.info.tenants[0]!.id, "--top", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.length > 0, "--debug logs something");
    const bad = await cli.run(["--debug", "alerts", "get", world.info.tenants[0]!.id, "da000000000000000000_1"]);
    assert.equal(bad.code, 2);
    const secret = world.info.partnerApp.clientSecret;
    for (const run of cli.runs) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), "the secret is in a command's output");
    }
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    for (const file of files(home)) {
      assert.ok(!readFileSync(file).includes(Buffer.from(secret)), `the secret is in ${file}`);
    }
  });
});
