import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createEmulator, type Emulator, type EmulatorInfo, type TenantInfo } from "@mde-partner/emulator";

const run = promisify(execFile);
const SAMPLE = fileURLToPath(new URL("./fixtures/mde_sample.py", import.meta.url));
const DOCS_SAMPLE = fileURLToPath(new URL("./fixtures/hunting_sample_docs.py", import.meta.url));

let emulator: Emulator;
let info: EmulatorInfo;
let tenant: TenantInfo;
const stateDir = mkdtempSync(join(tmpdir(), "mde-python-sample-"));

before(async () => {
  emulator = await createEmulator({ tenants: 2, alertsPerTenant: 40, machinesPerTenant: 6, stateDir, seed: 11 });
  info = await emulator.start();
  tenant = info.tenants[1] as TenantInfo;
});

after(async () => {
  await emulator.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs the sample as a user would: python3, the emulator's CA through SSL_CERT_FILE, secrets in the environment. */
async function runSample(query: string): Promise<string[]> {
  const { stdout } = await run("python3", [SAMPLE], {
    timeout: 60_000,
    env: {
      ...process.env,
      SSL_CERT_FILE: info.caCertFile,
      MDE_LOGIN_URL: info.loginUrl,
      MDE_API_URL: info.apiUrl,
      MDE_TENANT_ID: tenant.id,
      MDE_APP_ID: info.partnerApp.clientId,
      MDE_APP_SECRET: info.partnerApp.clientSecret,
      MDE_QUERY: query,
    },
  });
  return stdout.trim().split("\n");
}

test("the MDE docs' Python sample runs a hunting query and lists alerts over HTTPS", async () => {
  const lines = await runSample("DeviceInfo\n| summarize arg_max(Timestamp, *) by DeviceId\n| project DeviceId, DeviceName, OSPlatform\n| sort by DeviceName asc");
  assert.match(lines[0] ?? "", /^token: Bearer expires_in=\d+$/);
  assert.equal(lines[1], "schema: DeviceId:String, DeviceName:String, OSPlatform:String");
  const results = lines.filter((l) => l.startsWith("result: ")).map((l) => JSON.parse(l.slice("result: ".length)) as { DeviceId: string; DeviceName: string; OSPlatform: string });
  const machines = (emulator.state.db.prepare("SELECT json FROM machines WHERE tenant_id = ?").all(tenant.id) as Array<{ json: string }>)
    .map((r) => JSON.parse(r.json) as { id: string; computerDnsName: string; osPlatform: string })
    .map((m) => ({ DeviceId: m.id, DeviceName: m.computerDnsName, OSPlatform: m.osPlatform }))
    .sort((a, b) => (a.DeviceName < b.DeviceName ? -1 : 1));
  assert.equal(machines.length, tenant.machines);
  assert.deepEqual(results, machines);

  const alertLines = lines.filter((l) => l.startsWith("alert: "));
  assert.ok(lines.includes(`alerts: ${alertLines.length}`));
  assert.equal(alertLines.length, 5);
  for (const line of alertLines) {
    const [, id, severity] = line.split(" ");
    const row = emulator.state.db.prepare("SELECT json FROM alerts WHERE tenant_id = ? AND id = ?").get(tenant.id, id) as { json: string } | undefined;
    assert.ok(row, `alert ${id} belongs to the tenant`);
    assert.equal((JSON.parse(row.json) as { severity: string }).severity, severity);
  }
});

test("the sample's query errors surface as HTTP 400 from urllib", async () => {
  await assert.rejects(runSample("DeviceInfo | where"), (error: { code?: number; stderr?: string }) => {
    assert.notEqual(error.code, 0);
    assert.match(error.stderr ?? "", /HTTP Error 400/);
    return true;
  });
});

test("the docs' Advanced Hunting Python page, block by block: DeviceRegistryEvents rows printed, written as CSV and as JSON", async () => {
  const out = mkdtempSync(join(tmpdir(), "mde-python-docs-"));
  try {
    const { stdout } = await run("python3", [DOCS_SAMPLE], {
      timeout: 60_000,
      env: {
        ...process.env,
        SSL_CERT_FILE: info.caCertFile,
        MDE_LOGIN_URL: info.loginUrl,
        MDE_API_URL: info.apiUrl,
        MDE_TENANT_ID: tenant.id,
        MDE_APP_ID: info.partnerApp.clientId,
        MDE_APP_SECRET: info.partnerApp.clientSecret,
        MDE_SAMPLE_OUT: out,
      },
    });
    const results = JSON.parse(readFileSync(join(out, "file1.json"), "utf8")) as Array<Record<string, unknown>>;
    assert.equal(results.length, 10, "limit 10 over a tenant with registry activity");
    const devices = new Set((emulator.state.db.prepare("SELECT id FROM machines WHERE tenant_id = ?").all(tenant.id) as Array<{ id: string }>).map((r) => r.id));
    for (const row of results) {
      assert.ok(devices.has(row.DeviceId as string), "every event is on one of the tenant's devices");
      assert.match(String(row.ActionType), /^Registry/);
      assert.match(String(row.Timestamp), /^\d{4}-\d\d-\d\dT/);
    }
    // The page prints each row, then its time: two lines per row.
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 20);
    assert.deepEqual(lines.filter((_, i) => i % 2 === 1), results.map((r) => String(r.Timestamp)));
    const csv = readFileSync(join(out, "file1.csv"), "utf8").split(/\r?\n/).filter(Boolean);
    assert.equal(csv[0], Object.keys(results[0] ?? {}).join(","), "the CSV header is the result's columns in schema order");
    assert.ok(csv.length >= 11, "a header and ten rows (fields with newlines may span lines)");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
