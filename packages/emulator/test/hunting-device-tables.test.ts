// The registry, file, image-load, miscellaneous, network-info and file-certificate
// hunting tables: their documented columns, the docs' sample queries, and
// coherence with the machines and alerts the rest of the API serves.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createManualClock, type Emulator, type EmulatorInfo, type TenantInfo } from "@mde-partner/emulator";
import { type EmulatorWorld, servedEmulator } from "@mde-partner/test-kit";
import { mintAccessToken } from "../src/core/access-token.js";
import { servicePrincipalId } from "../src/core/directory.js";

/*
 * The columns as the schema reference pages print them (MicrosoftDocs/defender-docs,
 * defender-xdr/advanced-hunting-<table>-table.md), written out here independently of
 * the emulator's own schema file; `boolean` on a page is Boolean here too.
 */
const IP_ACCOUNT = "InitiatingProcessAccountDomain:String InitiatingProcessAccountName:String InitiatingProcessAccountSid:String InitiatingProcessAccountUpn:String InitiatingProcessAccountObjectId:String";
const IP_VERSION = "InitiatingProcessVersionInfoCompanyName:String InitiatingProcessVersionInfoProductName:String InitiatingProcessVersionInfoProductVersion:String InitiatingProcessVersionInfoInternalFileName:String InitiatingProcessVersionInfoOriginalFileName:String InitiatingProcessVersionInfoFileDescription:String";
const IP_PARENT = "InitiatingProcessParentId:Int64 InitiatingProcessParentFileName:String InitiatingProcessParentCreationTime:DateTime";
const IP_REMOTE = "InitiatingProcessSessionId:Int64 IsInitiatingProcessRemoteSession:Boolean InitiatingProcessRemoteSessionDeviceName:String InitiatingProcessRemoteSessionIP:String";
const DEVICE = "Timestamp:DateTime DeviceId:String DeviceName:String";
const DOCUMENTED: Record<string, string> = {
  DeviceRegistryEvents: `${DEVICE} ActionType:String RegistryKey:String RegistryValueType:String RegistryValueName:String RegistryValueData:String PreviousRegistryKey:String PreviousRegistryValueName:String PreviousRegistryValueData:String ${IP_ACCOUNT} InitiatingProcessSHA1:String InitiatingProcessSHA256:String InitiatingProcessMD5:String InitiatingProcessFileName:String InitiatingProcessFileSize:Int64 ${IP_VERSION} InitiatingProcessId:Int64 InitiatingProcessCommandLine:String InitiatingProcessCreationTime:DateTime InitiatingProcessFolderPath:String ${IP_PARENT} InitiatingProcessIntegrityLevel:String InitiatingProcessTokenElevation:String ReportId:Int64 AppGuardContainerId:String ${IP_REMOTE}`,
  DeviceFileEvents: `${DEVICE} ActionType:String FileName:String FolderPath:String SHA1:String SHA256:String MD5:String FileOriginUrl:String FileOriginReferrerUrl:String FileOriginIP:String PreviousFolderPath:String PreviousFileName:String FileSize:Int64 ${IP_ACCOUNT} InitiatingProcessMD5:String InitiatingProcessSHA1:String InitiatingProcessSHA256:String InitiatingProcessFolderPath:String InitiatingProcessFileName:String InitiatingProcessFileSize:Int64 ${IP_VERSION} InitiatingProcessId:Int64 InitiatingProcessCommandLine:String InitiatingProcessCreationTime:DateTime InitiatingProcessIntegrityLevel:String InitiatingProcessTokenElevation:String ${IP_PARENT} RequestProtocol:String RequestSourceIP:String RequestSourcePort:Int32 RequestAccountName:String RequestAccountDomain:String RequestAccountSid:String ShareName:String SensitivityLabel:String SensitivitySubLabel:String IsAzureInfoProtectionApplied:Boolean ReportId:Int64 AppGuardContainerId:String AdditionalFields:String ${IP_REMOTE}`,
  DeviceImageLoadEvents: `${DEVICE} ActionType:String FileName:String FolderPath:String SHA1:String SHA256:String MD5:String FileSize:Int64 ${IP_ACCOUNT} InitiatingProcessIntegrityLevel:String InitiatingProcessTokenElevation:String InitiatingProcessSHA1:String InitiatingProcessSHA256:String InitiatingProcessMD5:String InitiatingProcessFileName:String InitiatingProcessFileSize:Int64 ${IP_VERSION} InitiatingProcessId:Int64 InitiatingProcessCommandLine:String InitiatingProcessCreationTime:DateTime InitiatingProcessFolderPath:String ${IP_PARENT} ReportId:Int64 AppGuardContainerId:String ${IP_REMOTE}`,
  DeviceEvents: `${DEVICE} ActionType:String FileName:String FolderPath:String SHA1:String SHA256:String MD5:String FileSize:Int64 AccountDomain:String AccountName:String AccountSid:String RemoteUrl:String RemoteDeviceName:String ProcessId:Int64 ProcessCommandLine:String ProcessCreationTime:DateTime ProcessTokenElevation:String LogonId:Int64 RegistryKey:String RegistryValueName:String RegistryValueData:String RemoteIP:String RemotePort:Int32 LocalIP:String LocalPort:Int32 FileOriginUrl:String FileOriginIP:String InitiatingProcessSHA1:String InitiatingProcessSHA256:String InitiatingProcessMD5:String InitiatingProcessFileName:String InitiatingProcessFileSize:Int64 InitiatingProcessFolderPath:String InitiatingProcessId:Int64 InitiatingProcessCommandLine:String InitiatingProcessCreationTime:DateTime ${IP_ACCOUNT} ${IP_VERSION} ${IP_PARENT} InitiatingProcessLogonId:Int64 ReportId:Int64 AppGuardContainerId:String AdditionalFields:String ${IP_REMOTE} CreatedProcessSessionId:Int64 IsProcessRemoteSession:Boolean ProcessRemoteSessionDeviceName:String ProcessRemoteSessionIP:String`,
  DeviceNetworkInfo: `${DEVICE} NetworkAdapterName:String MacAddress:String NetworkAdapterType:String NetworkAdapterStatus:String TunnelType:String ConnectedNetworks:String DnsAddresses:String IPv4Dhcp:String IPv6Dhcp:String DefaultGateways:String IPAddresses:String ReportId:Int64 NetworkAdapterVendor:String`,
  DeviceFileCertificateInfo: `${DEVICE} SHA1:String IsSigned:Boolean SignatureType:String Signer:String SignerHash:String Issuer:String IssuerHash:String CertificateSerialNumber:String CrlDistributionPointUrls:String CertificateCreationTime:DateTime CertificateExpirationTime:DateTime CertificateCountersignatureTime:DateTime IsTrusted:Boolean IsRootSignerMicrosoft:Boolean ReportId:Int64`,
};

const kql = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const DAY = 86_400_000;

interface HuntingResponse {
  Schema: Array<{ Name: string; Type: string }>;
  Results: Array<Record<string, unknown>>;
}

describe("device hunting tables", () => {
  const clock = createManualClock(Date.UTC(2026, 5, 20, 10, 0));
  let world: EmulatorWorld;
  let emulator: Emulator;
  let info: EmulatorInfo;
  let tenant: TenantInfo;

  const hunt = async (query: string, t: TenantInfo = tenant): Promise<HuntingResponse> => {
    const token = (
      await mintAccessToken(emulator.state, {
        tenantId: t.id,
        clientId: emulator.partnerApp.clientId,
        servicePrincipalId: servicePrincipalId(t.id, emulator.partnerApp.clientId),
        resource: { kind: "mde", identifier: "https://api.securitycenter.microsoft.com" },
        roles: ["AdvancedQuery.Read.All"],
        authMethod: "1",
      })
    ).accessToken;
    const res = await emulator.fetch("/api/advancedqueries/run", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ Query: query }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as HuntingResponse;
  };
  const machines = () =>
    (emulator.state.db.prepare("SELECT json FROM machines WHERE tenant_id = ?").all(tenant.id) as Array<{ json: string }>).map(
      (r) => JSON.parse(r.json) as { id: string; osPlatform: string; lastIpAddress: string; lastSeen: string },
    );
  const alerts = () =>
    (emulator.state.db.prepare("SELECT json, evidence FROM alerts WHERE tenant_id = ? ORDER BY seq DESC").all(tenant.id) as Array<{ json: string; evidence: string }>).map((r) => ({
      alert: JSON.parse(r.json) as { id: string; machineId: string; detectionSource: string; threatName: string | null; alertCreationTime: string },
      evidence: JSON.parse(r.evidence) as Array<Record<string, string | null>>,
    }));

  before(async () => {
    world = await servedEmulator({ tenants: [{ alerts: 120, machines: 10 }, { hostile: true, alerts: 20, machines: 4 }], clock, seed: 23 });
    ({ emulator, info } = world);
    tenant = info.tenants[0] as TenantInfo;
  });
  after(async () => world.stop());

  test("each table answers with the documented columns and types, in the documented order", async () => {
    for (const [table, columns] of Object.entries(DOCUMENTED)) {
      const body = await hunt(`${table} | take 1`);
      const schema = body.Schema.map((c) => `${c.Name}:${c.Type}`);
      assert.deepEqual(schema, columns.split(" "), table);
      assert.equal(body.Results.length, 1, `${table} has rows`);
    }
  });

  test("the docs' sample query (DeviceRegistryEvents | limit 10) and a time-filtered summary work", async () => {
    const sample = await hunt("DeviceRegistryEvents | limit 10");
    assert.equal(sample.Results.length, 10);
    const windows = new Set(machines().filter((m) => m.osPlatform.startsWith("Windows")).map((m) => m.id));
    for (const row of sample.Results) {
      assert.match(String(row.RegistryKey), /^HKEY_(LOCAL_MACHINE|CURRENT_USER)\\/);
      assert.ok(windows.has(String(row.DeviceId)), "registry events come from Windows devices");
    }
    const recent = await hunt("DeviceRegistryEvents | where Timestamp > ago(1d) | project Timestamp, ActionType");
    assert.ok(recent.Results.length > 0);
    for (const row of recent.Results) assert.ok(Date.parse(String(row.Timestamp)) > clock.now() - DAY);
    const byAction = await hunt("DeviceRegistryEvents | where Timestamp > ago(1d) | summarize Count = count() by ActionType");
    assert.equal(
      byAction.Results.reduce((sum, r) => sum + Number(r.Count), 0),
      recent.Results.length,
    );
    const older = await hunt("DeviceRegistryEvents | where Timestamp < ago(29d) | count");
    assert.ok(Number(older.Results[0]?.Count) > 0, "events span the 30 days");
  });

  test("file events record the files alerts name; registry events the values they name; AV detections the threat", async () => {
    const all = alerts();
    const withFile = all.find((a) => a.evidence.some((e) => e.entityType === "File" && e.fileName && e.filePath && e.sha1));
    assert.ok(withFile, "an alert with File evidence");
    const file = withFile.evidence.find((e) => e.entityType === "File" && e.sha1) as Record<string, string>;
    const hits = await hunt(
      `DeviceFileEvents | where DeviceId == ${kql(withFile.alert.machineId)} and SHA1 == ${kql(file.sha1 ?? "")} and ActionType == 'FileCreated' | project FileName, FolderPath, Timestamp`,
    );
    assert.equal(hits.Results.length, 1, JSON.stringify(file));
    assert.equal(hits.Results[0]?.FileName, file.fileName);
    assert.ok(String(hits.Results[0]?.FolderPath).startsWith(String(file.filePath)));
    assert.ok(Date.parse(String(hits.Results[0]?.Timestamp)) <= Date.parse(withFile.alert.alertCreationTime), "created before the alert");

    const withRegistry = all.find((a) => a.evidence.some((e) => e.entityType === "Registry"));
    assert.ok(withRegistry, "an alert with Registry evidence");
    const reg = withRegistry.evidence.find((e) => e.entityType === "Registry") as Record<string, string>;
    const set = await hunt(
      `DeviceRegistryEvents | where DeviceId == ${kql(withRegistry.alert.machineId)} and RegistryValueData == ${kql(reg.registryValue ?? "")} | project RegistryKey, ActionType`,
    );
    assert.deepEqual(set.Results[0], { RegistryKey: reg.registryKey, ActionType: "RegistryValueSet" });

    const av = all.find((a) => a.alert.detectionSource === "WindowsDefenderAv" && a.alert.threatName && a.evidence.some((e) => e.entityType === "File"));
    assert.ok(av, "an antivirus alert with File evidence");
    const detections = await hunt(`DeviceEvents | where DeviceId == ${kql(av.alert.machineId)} and ActionType == 'AntivirusDetection' | project AdditionalFields`);
    assert.ok(detections.Results.some((r) => (JSON.parse(String(r.AdditionalFields)) as { ThreatName: string }).ThreatName === av.alert.threatName));
  });

  test("network info reports each device's addresses; certificates match the binaries' hashes; modules load where they belong", async () => {
    const latest = await hunt("DeviceNetworkInfo | summarize arg_max(Timestamp, *) by DeviceId, MacAddress | project DeviceId, IPAddresses, MacAddress");
    for (const m of machines()) {
      const rows = latest.Results.filter((r) => r.DeviceId === m.id);
      assert.ok(rows.length >= 1, `network info for ${m.id}`);
      const addresses = rows.flatMap((r) => (JSON.parse(String(r.IPAddresses)) as Array<{ IPAddress: string }>).map((a) => a.IPAddress));
      assert.ok(addresses.includes(m.lastIpAddress), `${m.id} reports ${m.lastIpAddress}`);
      for (const r of rows) assert.match(String(r.MacAddress), /^([0-9A-F]{2}-){5}[0-9A-F]{2}$/);
    }

    // Every process that loads modules is a signed catalog binary: its hash has a certificate row.
    const loaders = await hunt("DeviceImageLoadEvents | distinct InitiatingProcessFileName, InitiatingProcessSHA1");
    const signed = new Set((await hunt("DeviceFileCertificateInfo | distinct SHA1")).Results.map((r) => String(r.SHA1)));
    assert.ok(loaders.Results.length > 3);
    for (const r of loaders.Results) assert.ok(signed.has(String(r.InitiatingProcessSHA1)), `certificate for ${String(r.InitiatingProcessFileName)}`);
    const sha1 = String(loaders.Results.find((r) => r.InitiatingProcessFileName === "powershell.exe")?.InitiatingProcessSHA1 ?? "");
    const cert = await hunt(`DeviceFileCertificateInfo | where SHA1 == ${kql(sha1)} | project Signer, Issuer, IsSigned, IsTrusted, SignatureType | take 1`);
    assert.deepEqual(cert.Results[0], { Signer: "Microsoft Windows", Issuer: "Microsoft Windows Production PCA 2011", IsSigned: true, IsTrusted: true, SignatureType: "Catalog" });
    const certDevices = await hunt("DeviceFileCertificateInfo | distinct DeviceId");
    const windows = machines().filter((m) => m.osPlatform.startsWith("Windows")).map((m) => m.id).sort();
    assert.deepEqual(certDevices.Results.map((r) => String(r.DeviceId)).sort(), windows, "every Windows device, and only those");

    const clr = await hunt("DeviceImageLoadEvents | where FileName == 'clr.dll' | distinct InitiatingProcessFileName");
    assert.ok(clr.Results.length > 0);
    for (const r of clr.Results) assert.ok(["powershell.exe", "csc.exe"].includes(String(r.InitiatingProcessFileName)));
  });

  test("tables stay bounded and are the same for the same seed", async () => {
    for (const table of Object.keys(DOCUMENTED)) {
      const n = Number((await hunt(`${table} | count`)).Results[0]?.Count);
      assert.ok(n > 0 && n < 20_000, `${table}: ${n} rows`);
    }
    const twin = await servedEmulator({ tenants: [{ alerts: 120, machines: 10 }, { hostile: true, alerts: 20, machines: 4 }], clock, seed: 23 });
    try {
      const query = "DeviceFileEvents | where Timestamp > ago(3d) | project Timestamp, DeviceId, FolderPath, SHA1 | take 20";
      const mine = await hunt(query);
      emulator = twin.emulator;
      const theirs = await hunt(query, twin.info.tenants[0] as TenantInfo);
      assert.deepEqual(theirs.Results, mine.Results);
    } finally {
      emulator = world.emulator;
      await twin.stop();
    }
  });

  test("a hostile tenant's user names reach file paths as data, untouched", async () => {
    const hostile = info.tenants[1] as TenantInfo;
    const rows = await hunt("DeviceFileEvents | where FolderPath contains 'Users' | project FolderPath | take 50", hostile);
    assert.ok(rows.Results.some((r) => /[\u001b\u009b<=]/.test(String(r.FolderPath))), "hostile markers in paths");
  });
});
