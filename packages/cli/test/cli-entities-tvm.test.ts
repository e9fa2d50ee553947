/**
 * `lookup`, `investigations` and `tvm` through the real binary against the
 * emulator: a file, IP, domain and user looked up across tenants (found where
 * the evidence is, unknown tenants counted and left out), investigations listed,
 * read and started (audited), vulnerability management merged across tenants
 * and sorted worst first; bad input is one line and a hint (exit 2); a hostile
 * tenant's names print with every control character made visible.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AuditEntry, type CliHome, type CliRun, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

interface Lookup {
  kind: string;
  value: string;
  tenants: { searched: number; found: number; unknown: number; failed: number };
  results: Array<{ tenantId: string; tenant?: string; organizationPrevalence: number | null; alerts: number | null; machines: number | null; entity: { sha1?: string } | null }>;
}

interface Evidence {
  entityType: string;
  sha1: string | null;
  sha256: string | null;
  ipAddress: string | null;
  url: string | null;
}

const oneLineError = (r: CliRun, pattern: RegExp) => {
  assert.match(r.stderr, /^error: .+\n(hint: .+\n)?$/, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
};
const noRawControl = (r: CliRun, what: string) => {
  assert.equal(r.stdout.search(RAW_CONTROL), -1, `${what}: raw control on stdout`);
  assert.equal(r.stderr.search(RAW_CONTROL), -1, `${what}: raw control on stderr`);
};

describe("mde-partner lookup, investigations and tvm", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let contoso: string;
  let fabrikam: string;
  let hostile: string;
  const found = { sha1: "", sha256: "", ip: "", domain: "", user: "", hostileSha1: "" };

  before(async () => {
    world = await servedEmulator({ tenants: [{}, {}, { hostile: true }], alertsPerTenant: 40, machinesPerTenant: 5, seed: 61 });
    [contoso, fabrikam] = world.info.tenants.filter((t) => !t.hostile).map((t) => t.id) as [string, string];
    hostile = world.info.tenants.find((t) => t.hostile)!.id;
    cli = await emulatorHome(world.info, {
      tenants: [
        { id: contoso, name: "Contoso" },
        { id: fabrikam, name: "Fabrikam" },
        { id: hostile, name: "Hostile Corp" },
      ],
    });
    // What to look up: values from Contoso's alert evidence, read straight through the client.
    const { partnerFor } = await import("@mde-partner/test-kit");
    const partner = partnerFor(world);
    try {
      for (const [tenant, only] of [[contoso, false], [hostile, true]] as const) {
        for await (const alert of partner.tenant(tenant).mde.alerts.list({ expand: ["evidence"] })) {
          const user = (alert as { relatedUser?: { userName?: string } | null }).relatedUser?.userName;
          if (!only && user) found.user ||= user;
          for (const e of (alert.evidence ?? []) as unknown as Evidence[]) {
            if (only) {
              if (e.entityType === "File" && e.sha1) found.hostileSha1 ||= e.sha1;
              continue;
            }
            if (e.entityType === "File" && e.sha1 && e.sha256 && !found.sha1) [found.sha1, found.sha256] = [e.sha1, e.sha256];
            if (e.ipAddress) found.ip ||= e.ipAddress;
            if (e.url && URL.canParse(e.url)) found.domain ||= new URL(e.url).hostname;
          }
        }
      }
    } finally {
      await partner.close();
    }
    for (const [k, v] of Object.entries(found)) assert.ok(v, `the emulator's evidence has a ${k}`);
  });
  after(async () => {
    await world?.stop();
  });

  it("looks a file, IP, domain and user up across tenants; unknown tenants are counted, not listed", async () => {
    const file = await cli.json<Lookup>(["lookup", "file", found.sha1, "--json"]);
    assert.deepEqual([file.kind, file.value, file.tenants.searched, file.tenants.failed], ["file", found.sha1, 3, 0]);
    assert.equal(file.tenants.found + file.tenants.unknown, 3);
    const here = file.results.find((r) => r.tenantId === contoso);
    assert.ok(here, "found in Contoso, whose evidence holds it");
    assert.ok(here.organizationPrevalence! >= 1 && here.alerts! >= 1, JSON.stringify(here));
    assert.equal(file.results.length, file.tenants.found);

    // By SHA-256: the same tenant; its related counts come through the entity's SHA-1.
    const by256 = await cli.json<Lookup>(["lookup", "file", found.sha256.toUpperCase(), "--tenant", contoso, "--json"]);
    assert.equal(by256.tenants.searched, 1);
    assert.equal(by256.results[0]?.alerts, here.alerts);

    let r = await cli.ok(["lookup", "file", found.sha1]);
    assert.match(r.stdout, /^TENANT\tFILE\tDETERMINATION\tPREVALENCE\tFIRST SEEN\tLAST SEEN\tALERTS\tMACHINES$/m);
    assert.match(r.stdout, /^Contoso\t/m);
    assert.match(r.stderr, new RegExp(`file ${found.sha1}: seen in ${file.tenants.found} of 3 tenant\\(s\\); unknown in ${file.tenants.unknown}`));

    for (const [kind, value] of [["ip", found.ip], ["domain", found.domain], ["user", found.user]] as const) {
      const l = await cli.json<Lookup>(["lookup", kind, value, "--json"]);
      assert.ok(l.results.some((x) => x.tenantId === contoso && (x.alerts ?? 0) >= 1), `${kind} ${value}: ${JSON.stringify(l)}`);
    }

    const nowhere = await cli.json<Lookup>(["lookup", "ip", "192.0.2.77", "--json"]);
    assert.deepEqual(nowhere.tenants, { searched: 3, found: 0, unknown: 3, failed: 0 });
    r = await cli.ok(["lookup", "ip", "192.0.2.77"]);
    assert.equal(r.stdout, "", "no table when it is unknown everywhere");
    assert.match(r.stderr, /seen in 0 of 3 tenant\(s\); unknown in 3/);

    r = await cli.ok(["lookup", "file", found.hostileSha1]);
    noRawControl(r, "lookup in a hostile tenant");
  });

  it("lists, reads and starts investigations (the start audited)", async () => {
    const all = await cli.json<Array<{ tenantId: string; id: string; state: string; machineId: string }>>(["investigations", "list", "--all", "--json"]);
    assert.ok(all.length > 0, "the emulator's alerts carry investigations");
    const first = all.find((i) => i.tenantId === contoso)!;
    const one = await cli.json<{ id: string; state: string; tenantId: string }>(["investigations", "get", contoso, first.id, "--json"]);
    assert.deepEqual([one.id, one.tenantId, one.state], [first.id, contoso, first.state]);
    const byState = await cli.json<Array<{ state: string }>>(["investigations", "list", "--tenant", contoso, "--state", first.state.toLowerCase(), "--json"]);
    assert.ok(byState.length > 0 && byState.every((i) => i.state === first.state));

    const machines = await cli.json<Array<{ id: string; osPlatform: string }>>(["machines", "list", "--tenant", contoso, "--json"]);
    const machine = machines.find((m) => /^Windows/.test(m.osPlatform))!.id;
    const started = await cli.json<{ id: string; machineId: string; state: string }>(["investigations", "start", contoso, machine, "--comment", "INC-5 suspicious", "--json"]);
    assert.equal(started.machineId, machine);
    const audit = await cli.json<AuditEntry[]>(["audit", "--action", "investigation.start", "--json"]);
    assert.deepEqual(audit.map((e) => [e.phase, e.tenantId, e.target]), [["completed", contoso, machine]]);

    const r = await cli.ok(["investigations", "list", "--all"]);
    assert.match(r.stdout, /^TENANT\tINVESTIGATION\tSTATE\tMACHINE\tALERT\tSTARTED\tDETAILS$/m);
    noRawControl(r, "investigations with a hostile tenant");
  });

  it("merges vulnerability management across tenants, worst first", async () => {
    type Vuln = { tenantId: string; tenant: string; id: string; severity: string; exposedMachines: number };
    const vulns = await cli.json<Vuln[]>(["tvm", "vulnerabilities", "--all", "--json"]);
    assert.equal(new Set(vulns.map((v) => v.tenantId)).size, 3, "every tenant's rows, each with its tenant");
    for (let i = 1; i < vulns.length; i++) assert.ok(vulns[i - 1]!.exposedMachines >= vulns[i]!.exposedMachines, "by exposed machines, most first");
    const critical = await cli.json<Vuln[]>(["tvm", "vulnerabilities", contoso, "--severity", "critical", "--json"]);
    assert.ok(critical.every((v) => v.severity === "Critical" && v.tenantId === contoso));
    const top = await cli.json<Vuln[]>(["tvm", "vulnerabilities", "--all", "--top", "3", "--json"]);
    assert.deepEqual(top.map((v) => `${v.tenantId}/${v.id}`), vulns.slice(0, 3).map((v) => `${v.tenantId}/${v.id}`));
    const cve = vulns[0]!.id;
    const oneCve = await cli.json<Vuln[]>(["tvm", "vulnerabilities", "--all", "--cve", cve.toLowerCase(), "--json"]);
    assert.ok(oneCve.length >= 1 && oneCve.every((v) => v.id === cve));

    const exposed = await cli.json<Array<{ tenantId: string; computerDnsName: string }>>(["tvm", "machines-by-cve", cve, "--json"]);
    assert.equal(exposed.filter((m) => m.tenantId === vulns[0]!.tenantId).length, vulns[0]!.exposedMachines);
    let r = await cli.ok(["tvm", "machines-by-cve", "CVE-1999-0001"]);
    assert.match(r.stderr, /CVE-1999-0001: 0 exposed machine\(s\) in 0 of 3 tenant\(s\)/);

    const exposure = await cli.json<Array<{ tenant: string; score: number }>>(["tvm", "exposure-score", "--all", "--json"]);
    assert.equal(exposure.length, 3);
    assert.deepEqual(exposure.map((s) => s.score), [...exposure.map((s) => s.score)].sort((a, b) => b - a), "exposure: highest first");
    const secure = await cli.json<Array<{ score: number }>>(["tvm", "secure-score", "--all", "--json"]);
    assert.deepEqual(secure.map((s) => s.score), [...secure.map((s) => s.score)].sort((a, b) => a - b), "secure score: lowest first");

    const recs = await cli.json<Array<{ severityScore: number }>>(["tvm", "recommendations", "--all", "--top", "5", "--json"]);
    assert.equal(recs.length, 5);
    assert.deepEqual(recs.map((x) => x.severityScore), [...recs.map((x) => x.severityScore)].sort((a, b) => b - a));
    const kbs = await cli.json<Array<{ tenantId: string; id: string; machineMissedOn: number }>>(["tvm", "missing-kbs", contoso, "--json"]);
    assert.ok(kbs.length > 0 && kbs.every((k) => k.tenantId === contoso));
    for (let i = 1; i < kbs.length; i++) assert.ok(kbs[i - 1]!.machineMissedOn >= kbs[i]!.machineMissedOn);

    r = await cli.ok(["tvm", "software", "--all", "--top", "50"]);
    assert.match(r.stdout, /^TENANT\tSOFTWARE\tVENDOR\tNAME\tWEAKNESSES\tEXPOSED\tEXPLOIT\tALERT\tIMPACT$/m);
    noRawControl(r, "software with a hostile tenant");
    r = await cli.ok(["tvm", "vulnerabilities", "--tenant", hostile]);
    noRawControl(r, "a hostile tenant's vulnerabilities");
  });

  it("refuses bad input with one line and a hint (exit 2)", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["lookup", "file", "abc"], /"abc" is not a SHA-1 or SHA-256\nhint: a file hash is 40 \(SHA-1\) or 64 \(SHA-256\) hex characters/],
      [["lookup", "file", "d41d8cd98f00b204e9800998ecf8427e"], /MD5 is not looked up/],
      [["lookup", "ip", "10.1.2"], /is not an IP address/],
      [["lookup", "domain", "https://evil.example/x"], /hint: give the host name only: mde-partner lookup domain evil\.example/],
      [["lookup", "user", "contoso\\bob"], /hint: give the user name only: mde-partner lookup user bob/],
      [["lookup", "user", "bob@contoso.com"], /is a UPN/],
      [["lookup", "ip", "10.1.2.3", "--look-back-hours", "721"], /--look-back-hours must be between 1 and 720/],
      [["investigations", "list", "--state", "Sleeping"], /--state "Sleeping" is not one of/],
      [["investigations", "get", contoso, "1 or 1=1"], /is not an investigation id/],
      [["investigations", "start", contoso, "0".repeat(40)], /start needs --comment/],
      [["tvm", "vulnerabilities", "--severity", "Urgent"], /--severity "Urgent" is not one of Low, Medium, High, Critical/],
      [["tvm", "machines-by-cve", "2024-1234"], /is not a CVE id\nhint: CVE ids look like/],
      [["tvm", "software", contoso, "--tenant", fabrikam], /either as an argument or with --tenant\/--all/],
      [["tvm", "vulnerabilities", "--machine", "0".repeat(40)], /--machine goes with one tenant/],
    ];
    for (const [args, pattern] of cases) oneLineError(await cli.expect(2, args), pattern);
  });
});
