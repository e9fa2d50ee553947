/**
 * Each resource method sends the documented method, path, query and body — with the documented
 * property casing (mde-api.md §3.2). Bodies are compared with the doc's request examples where one exists.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMdeApi, OPERATIONS, type MdeApi } from "@mde-partner/client";
import { type Captured, createTestTransport, example, type FetchLike, MACHINE, SHA1, TVM_MACHINE } from "./resources-fixture.js";

const ALERT = "121688558380765161_2136280442";
const ACTION = "988cc94e-7a8f-4b28-ab65-54970c5d5018";
const TASK = "03942ef5-aecb-4c6e-b555-d6a97013844c";
const NOW = Date.parse("2024-06-10T12:00:00Z");

interface Row {
  op: keyof typeof OPERATIONS;
  call: (c: MdeApi) => unknown;
  method: string;
  path: string;
  query?: Record<string, string>;
  /** Expected JSON body, or the name of a doc request example. */
  body?: unknown;
  /** Response to give (default: `{}` for entities, `{value: []}` for lists). */
  respond?: { status?: number; body?: unknown };
}

const ex = (name: string) => example(name);
const list = { body: { value: [] } };
/** A plain `GET` of a collection, answered with an empty list. */
const getList = (op: Row["op"], call: Row["call"], path: string): Row => ({ op, call, method: "GET", path, respond: list });
/** A plain `GET` of one entity. */
const getOne = (op: Row["op"], call: Row["call"], path: string): Row => ({ op, call, method: "GET", path });

const ROWS: Row[] = [
  // §5.1 Alerts
  {
    op: "ListAlerts",
    call: (c) => c.alerts.list({ filter: (f) => f.eq("status", "New"), expand: ["evidence"], top: 50 }),
    method: "GET",
    path: "/api/alerts",
    query: { $filter: "status eq 'New'", $expand: "evidence", $top: "50" },
    respond: list,
  },
  { op: "GetAlert", call: (c) => c.alerts.get(ALERT), method: "GET", path: `/api/alerts/${ALERT}` },
  {
    op: "UpdateAlert",
    call: (c) => c.alerts.update(ALERT, ex("update-alert.request.json") as never),
    method: "PATCH",
    path: `/api/alerts/${ALERT}`,
    body: ex("update-alert.request.json"),
  },
  {
    op: "BatchUpdateAlerts",
    call: (c) => c.alerts.batchUpdate(ex("batch-update-alerts.request.json") as never),
    method: "POST",
    path: "/api/alerts/batchUpdate",
    body: ex("batch-update-alerts.request.json"),
    respond: { body: "" },
  },
  {
    op: "CreateAlertByReference",
    call: (c) => c.alerts.createByReference(ex("create-alert-by-reference.request.json") as never),
    method: "POST",
    path: "/api/alerts/CreateAlertByReference",
    body: ex("create-alert-by-reference.request.json"),
  },
  { op: "ListAlertDomains", call: (c) => c.alerts.listDomains(ALERT), method: "GET", path: `/api/alerts/${ALERT}/domains`, respond: list },
  { op: "ListAlertFiles", call: (c) => c.alerts.listFiles(ALERT), method: "GET", path: `/api/alerts/${ALERT}/files`, respond: list },
  { op: "ListAlertIps", call: (c) => c.alerts.listIps(ALERT), method: "GET", path: `/api/alerts/${ALERT}/ips`, respond: list },
  { op: "GetAlertMachine", call: (c) => c.alerts.getMachine(ALERT), method: "GET", path: `/api/alerts/${ALERT}/machine` },
  { op: "GetAlertUser", call: (c) => c.alerts.getUser(ALERT), method: "GET", path: `/api/alerts/${ALERT}/user` },
  // §5.2 Machines
  {
    op: "ListMachines",
    call: (c) => c.machines.list({ filter: (f) => f.startswith("computerDnsName", "web"), skip: 20 }),
    method: "GET",
    path: "/api/machines",
    query: { $filter: "startswith(computerDnsName,'web')", $top: "10000", $skip: "20" },
    respond: list,
  },
  { op: "GetMachine", call: (c) => c.machines.get("mymachine1.contoso.com"), method: "GET", path: "/api/machines/mymachine1.contoso.com" },
  getList("ListMachineLogonUsers", (c) => c.machines.listLogonUsers(MACHINE), `/api/machines/${MACHINE}/logonusers`),
  {
    op: "ListMachineAlerts",
    call: (c) => c.machines.listAlerts(MACHINE, { filter: (f) => f.ne("status", "Resolved") }),
    method: "GET",
    path: `/api/machines/${MACHINE}/alerts`,
    query: { $filter: "status ne 'Resolved'" },
    respond: list,
  },
  {
    op: "CountMachineAlerts",
    call: (c) => c.machines.countAlerts(MACHINE, { filter: (f) => f.ne("status", "Resolved") }),
    method: "GET",
    path: `/api/machines/${MACHINE}/alerts/$count`,
    query: { $filter: "status ne 'Resolved'" },
    respond: { body: 4 },
  },
  getList("ListMachineSoftware", (c) => c.machines.listSoftware(TVM_MACHINE), `/api/machines/${TVM_MACHINE}/software`),
  getList("ListMachineVulnerabilities", (c) => c.machines.listVulnerabilities(TVM_MACHINE), `/api/machines/${TVM_MACHINE}/vulnerabilities`),
  getList("ListMachineRecommendations", (c) => c.machines.listRecommendations(TVM_MACHINE), `/api/machines/${TVM_MACHINE}/recommendations`),
  getList("ListMachineMissingKbs", (c) => c.machines.listMissingKbs(TVM_MACHINE), `/api/machines/${TVM_MACHINE}/getmissingkbs`),
  {
    op: "TagMachine",
    call: (c) => c.machines.addTag(MACHINE, "test Tag 2"),
    method: "POST",
    path: `/api/machines/${MACHINE}/tags`,
    body: ex("machine-tags.request.json"),
  },
  {
    op: "TagMachines",
    call: (c) => c.machines.tagMany((ex("machine-tags-multiple.request.json") as { MachineIds: string[] }).MachineIds, "Tag", "Add"),
    method: "POST",
    path: "/api/machines/AddOrRemoveTagForMultipleMachines",
    body: ex("machine-tags-multiple.request.json"),
  },
  getList("FindMachinesByIp", (c) => c.machines.findByIp("10.248.240.38", new Date("2019-09-22T08:44:05Z")), "/api/machines/findbyip(ip='10.248.240.38',timestamp=2019-09-22T08:44:05Z)"),
  getList("FindMachinesByIpLegacy", (c) => c.machines.findByIpLegacy("10.166.93.61", "2018-06-19T10:00:00Z"), "/api/machines/find(timestamp=2018-06-19T10:00:00Z,key='10.166.93.61')"),
  {
    op: "FindMachinesByTag",
    call: (c) => c.machines.findByTag("test tag", { useStartsWithFilter: true }),
    method: "GET",
    path: "/api/machines/findbytag",
    query: { tag: "test tag", useStartsWithFilter: "true" },
    respond: list,
  },
  {
    op: "SetDeviceValue",
    call: (c) => c.machines.setDeviceValue(MACHINE, "High"),
    method: "POST",
    path: `/api/machines/${MACHINE}/setDeviceValue`,
    body: ex("set-device-value.request.json"),
  },
  {
    op: "UpdateMachine",
    call: (c) => c.machines.update(MACHINE, ex("update-machine.request.json") as never),
    method: "PATCH",
    path: `/api/machines/${MACHINE}`,
    body: ex("update-machine.request.json"),
  },
  // §5.3 Machine actions
  {
    op: "ListMachineActions",
    call: (c) => c.machineActions.list({ filter: (f) => f.eq("machineId", "f46b9bb259ed4a7fb9981b73510e3cc7aa81ec1f"), top: 2 }),
    method: "GET",
    path: "/api/machineactions",
    query: { $filter: "machineId eq 'f46b9bb259ed4a7fb9981b73510e3cc7aa81ec1f'", $top: "2" },
    respond: list,
  },
  { op: "GetMachineAction", call: (c) => c.machineActions.get(ACTION), method: "GET", path: `/api/machineactions/${ACTION}` },
  {
    op: "IsolateMachine",
    call: (c) => c.machineActions.isolate(MACHINE, { comment: "Isolate machine due to alert 1234", isolationType: "Full" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/isolate`,
    body: ex("isolate-machine.request.json"),
  },
  {
    op: "UnisolateMachine",
    call: (c) => c.machineActions.unisolate(MACHINE, { comment: "Unisolate machine since it was clean and validated" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/unisolate`,
    body: ex("unisolate-machine.request.json"),
  },
  {
    op: "RestrictCodeExecution",
    call: (c) => c.machineActions.restrictCodeExecution(MACHINE, { comment: "Restrict code execution due to alert 1234" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/restrictCodeExecution`,
    body: ex("restrict-code-execution.request.json"),
  },
  {
    op: "UnrestrictCodeExecution",
    call: (c) =>
      c.machineActions.unrestrictCodeExecution(MACHINE, { comment: "Unrestrict code execution since machine was cleaned and validated" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/unrestrictCodeExecution`,
    body: ex("unrestrict-code-execution.request.json"),
  },
  {
    op: "RunAntiVirusScan",
    call: (c) => c.machineActions.runAntiVirusScan(MACHINE, { comment: "Check machine for viruses due to alert 3212", scanType: "Full" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/runAntiVirusScan`,
    body: ex("run-av-scan.request.json"),
  },
  {
    op: "CollectInvestigationPackage",
    call: (c) =>
      c.machineActions.collectInvestigationPackage("fb9ab6be3965095a09c057be7c90f0a2", { comment: "Collect forensics due to alert 1234" }),
    method: "POST",
    path: "/api/machines/fb9ab6be3965095a09c057be7c90f0a2/collectInvestigationPackage",
    body: ex("collect-investigation-package.request.json"),
  },
  getOne("GetPackageUri", (c) => c.machineActions.getPackageUri(ACTION), `/api/machineactions/${ACTION}/getPackageUri`),
  {
    op: "StopAndQuarantineFile",
    call: (c) =>
      c.machineActions.stopAndQuarantineFile(MACHINE, {
        comment: "Stop and quarantine file on machine due to alert 441688558380765161_2136280442",
        sha1: "87662bc3d60e4200ceaf7aae249d1c343f4b83c9",
      }),
    method: "POST",
    path: `/api/machines/${MACHINE}/StopAndQuarantineFile`,
    body: ex("stop-and-quarantine-file.request.json"),
  },
  {
    op: "OffboardMachine",
    call: (c) => c.machineActions.offboard(MACHINE, { comment: "Offboard machine by automation" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/offboard`,
    body: ex("offboard-machine.request.json"),
  },
  {
    op: "RunLiveResponse",
    call: (c) => {
      const doc = ex("run-live-response.request.json") as { Commands: never[]; Comment: string };
      return c.machineActions.runLiveResponse(MACHINE, { commands: doc.Commands, comment: doc.Comment });
    },
    method: "POST",
    path: `/api/machines/${MACHINE}/runliveresponse`,
    body: ex("run-live-response.request.json"),
  },
  getOne("GetLiveResponseResultLink", (c) => c.machineActions.getLiveResponseResultLink(ACTION, 0), `/api/machineactions/${ACTION}/GetLiveResponseResultDownloadLink(index=0)`),
  {
    op: "CancelMachineAction",
    call: (c) => c.machineActions.cancel(ACTION, { comment: "Machine action was canceled by automation" }),
    method: "POST",
    path: `/api/machineactions/${ACTION}/cancel`,
    body: ex("cancel-machine-action.request.json"),
  },
  // §5.4 Hunting
  {
    op: "RunAdvancedQuery",
    call: (c) => c.hunting.run((ex("advanced-hunting.request.json") as { Query: string }).Query),
    method: "POST",
    path: "/api/advancedqueries/run",
    body: ex("advanced-hunting.request.json"),
    respond: { body: { Schema: [], Results: [] } },
  },
  // §5.5 Indicators
  {
    op: "ListIndicators",
    call: (c) => c.indicators.list({ filter: (f) => f.eq("action", "AlertAndBlock") }),
    method: "GET",
    path: "/api/indicators",
    query: { $filter: "action eq 'AlertAndBlock'", $top: "10000" },
    respond: list,
  },
  {
    op: "SubmitIndicator",
    call: (c) => c.indicators.submit(ex("submit-indicator.request.json") as never),
    method: "POST",
    path: "/api/indicators",
    body: ex("submit-indicator.request.json"),
  },
  {
    op: "ImportIndicators",
    call: (c) => c.indicators.import((ex("import-indicators.request.json") as { Indicators: never[] }).Indicators),
    method: "POST",
    path: "/api/indicators/import",
    body: ex("import-indicators.request.json"),
    respond: { body: ex("import-indicators.response.json") },
  },
  {
    op: "DeleteIndicator",
    call: (c) => c.indicators.delete("994"),
    method: "DELETE",
    path: "/api/indicators/994",
    respond: { status: 204 },
  },
  {
    op: "BatchDeleteIndicators",
    call: (c) => c.indicators.batchDelete(["1", "2", "5"]),
    method: "POST",
    path: "/api/indicators/BatchDelete",
    body: ex("batch-delete-indicators.request.json"),
    respond: { status: 204 },
  },
  // §5.6 Investigations
  {
    op: "ListInvestigations",
    call: (c) => c.investigations.list({ filter: (f) => f.eq("state", "Running") }),
    method: "GET",
    path: "/api/investigations",
    query: { $filter: "state eq 'Running'", $top: "10000" },
    respond: list,
  },
  { op: "GetInvestigation", call: (c) => c.investigations.get("63004"), method: "GET", path: "/api/investigations/63004" },
  {
    op: "StartInvestigation",
    call: (c) => c.investigations.start(MACHINE, { comment: "Test investigation" }),
    method: "POST",
    path: `/api/machines/${MACHINE}/startInvestigation`,
    body: ex("start-investigation.request.json"),
  },
  // §5.7–§5.10 Files, domains, IPs, users
  { op: "GetFile", call: (c) => c.files.get(SHA1), method: "GET", path: `/api/files/${SHA1}` },
  { op: "ListFileAlerts", call: (c) => c.files.listAlerts(SHA1), method: "GET", path: `/api/files/${SHA1}/alerts`, respond: list },
  { op: "ListFileMachines", call: (c) => c.files.listMachines(SHA1), method: "GET", path: `/api/files/${SHA1}/machines`, respond: list },
  {
    op: "GetFileStats",
    call: (c) => c.files.getStats(SHA1, { lookBackHours: 48 }),
    method: "GET",
    path: `/api/files/${SHA1}/stats`,
    query: { lookBackHours: "48" },
  },
  getList("ListDomainAlerts", (c) => c.domains.listAlerts("example.com"), "/api/domains/example.com/alerts"),
  getList("ListDomainMachines", (c) => c.domains.listMachines("example.com"), "/api/domains/example.com/machines"),
  {
    op: "GetDomainStats",
    call: (c) => c.domains.getStats("example.com", { lookBackHours: 720 }),
    method: "GET",
    path: "/api/domains/example.com/stats",
    query: { lookBackHours: "720" },
  },
  { op: "ListIpAlerts", call: (c) => c.ips.listAlerts("10.0.0.1"), method: "GET", path: "/api/ips/10.0.0.1/alerts", respond: list },
  { op: "GetIpStats", call: (c) => c.ips.getStats("10.0.0.1"), method: "GET", path: "/api/ips/10.0.0.1/stats" },
  { op: "ListUserAlerts", call: (c) => c.users.listAlerts("user1"), method: "GET", path: "/api/users/user1/alerts", respond: list },
  { op: "ListUserMachines", call: (c) => c.users.listMachines("user1"), method: "GET", path: "/api/users/user1/machines", respond: list },
  // §5.11 Software
  {
    op: "ListSoftware",
    call: (c) => c.software.list({ filter: (f) => f.eq("vendor", "microsoft") }),
    method: "GET",
    path: "/api/Software",
    query: { $filter: "vendor eq 'microsoft'", $top: "10000" },
    respond: list,
  },
  { op: "GetSoftware", call: (c) => c.software.get("microsoft-_-edge"), method: "GET", path: "/api/Software/microsoft-_-edge" },
  getList("ListSoftwareDistributions", (c) => c.software.listDistributions("microsoft-_-edge"), "/api/Software/microsoft-_-edge/distributions"),
  getList("ListSoftwareMachineReferences", (c) => c.software.listMachineReferences("microsoft-_-edge"), "/api/Software/microsoft-_-edge/machineReferences"),
  getList("ListSoftwareVulnerabilities", (c) => c.software.listVulnerabilities("microsoft-_-edge"), "/api/Software/microsoft-_-edge/vulnerabilities"),
  getList("ListSoftwareMissingKbs", (c) => c.software.listMissingKbs("microsoft-_-edge"), "/api/Software/microsoft-_-edge/getmissingkbs"),
  // §5.12 Vulnerabilities
  {
    op: "ListVulnerabilities",
    call: (c) => c.vulnerabilities.list({ filter: (f) => f.gt("cvssV3", 7.5) }),
    method: "GET",
    path: "/api/vulnerabilities",
    query: { $filter: "cvssV3 gt 7.5", $top: "8000" },
    respond: list,
  },
  getOne("GetVulnerability", (c) => c.vulnerabilities.get("CVE-2019-0608"), "/api/vulnerabilities/CVE-2019-0608"),
  getList("ListVulnerabilityMachineReferences", (c) => c.vulnerabilities.listMachineReferences("CVE-2019-0608"), "/api/vulnerabilities/CVE-2019-0608/machineReferences"),
  {
    op: "ListMachinesVulnerabilities",
    call: (c) => c.vulnerabilities.listMachinesVulnerabilities({ filter: (f) => f.eq("cveId", "CVE-2020-6494") }),
    method: "GET",
    path: "/api/vulnerabilities/machinesVulnerabilities",
    query: { $filter: "cveId eq 'CVE-2020-6494'", $top: "10000" },
    respond: list,
  },
  // §5.13 Recommendations
  {
    op: "ListRecommendations",
    call: (c) => c.recommendations.list(),
    method: "GET",
    path: "/api/recommendations",
    query: { $top: "10000" },
    respond: list,
  },
  getOne("GetRecommendation", (c) => c.recommendations.get("va-_-google-_-chrome"), "/api/recommendations/va-_-google-_-chrome"),
  getOne("GetRecommendationSoftware", (c) => c.recommendations.getSoftware("va-_-google-_-chrome"), "/api/recommendations/va-_-google-_-chrome/software"),
  getList("ListRecommendationMachineReferences", (c) => c.recommendations.listMachineReferences("va-_-google-_-chrome"), "/api/recommendations/va-_-google-_-chrome/machineReferences"),
  getList("ListRecommendationVulnerabilities", (c) => c.recommendations.listVulnerabilities("va-_-google-_-chrome"), "/api/recommendations/va-_-google-_-chrome/vulnerabilities"),
  // §5.14 Scores
  { op: "GetExposureScore", call: (c) => c.scores.getExposureScore(), method: "GET", path: "/api/exposureScore" },
  { op: "GetConfigurationScore", call: (c) => c.scores.getConfigurationScore(), method: "GET", path: "/api/configurationScore" },
  getList("ListExposureScoreByMachineGroups", (c) => c.scores.listExposureScoreByMachineGroups(), "/api/exposureScore/ByMachineGroups"),
  // §5.15 Remediation tasks
  {
    op: "ListRemediationTasks",
    call: (c) => c.remediationTasks.list({ filter: (f) => f.eq("status", "Active") }),
    method: "GET",
    path: "/api/remediationTasks",
    query: { $filter: "status eq 'Active'", $top: "10000" },
    respond: list,
  },
  { op: "GetRemediationTask", call: (c) => c.remediationTasks.get(TASK), method: "GET", path: `/api/remediationTasks/${TASK}` },
  getList("ListRemediationTaskMachineReferences", (c) => c.remediationTasks.listMachineReferences(TASK), `/api/remediationTasks/${TASK}/machineReferences`),
  // §5.16 Device AV health
  {
    op: "ListDeviceAvInfo",
    call: (c) => c.deviceAvHealth.list({ filter: (f) => f.eq("avIsSignatureUpToDate", "False"), top: 100 }),
    method: "GET",
    path: "/api/deviceavinfo",
    query: { $filter: "avIsSignatureUpToDate eq 'False'", $top: "100" },
    respond: list,
  },
  {
    op: "ExportDeviceAvInfoFiles",
    call: (c) => c.deviceAvHealth.exportFiles({ sasValidHours: 24 }),
    method: "GET",
    path: "/api/machines/InfoGatheringExport",
    query: { sasValidHours: "24" },
  },
  // §5.17 Export assessments
  {
    op: "ListSecureConfigurationsAssessment",
    call: (c) => c.exports.listSecureConfigurations({ pageSize: 5 }),
    method: "GET",
    path: "/api/machines/SecureConfigurationsAssessmentByMachine",
    query: { pageSize: "5" },
    respond: list,
  },
  {
    op: "ListSoftwareVulnerabilitiesAssessment",
    call: (c) => c.exports.listSoftwareVulnerabilities(),
    method: "GET",
    path: "/api/machines/SoftwareVulnerabilitiesByMachine",
    query: {},
    respond: list,
  },
  {
    op: "ListSoftwareVulnerabilityChanges",
    call: (c) => c.exports.listSoftwareVulnerabilityChanges(new Date(NOW - 86_400_000)),
    method: "GET",
    path: "/api/machines/SoftwareVulnerabilityChangesByMachine",
    query: { sinceTime: "2024-06-09T12:00:00.000Z" },
    respond: list,
  },
  {
    op: "ListSoftwareInventoryAssessment",
    call: (c) => c.exports.listSoftwareInventory({ pageSize: 200_000 }),
    method: "GET",
    path: "/api/machines/SoftwareInventoryByMachine",
    query: { pageSize: "200000" },
    respond: list,
  },
  {
    op: "ExportSecureConfigurationsAssessmentFiles",
    call: (c) => c.exports.exportSecureConfigurationsFiles({ sasValidHours: 6 }),
    method: "GET",
    path: "/api/machines/SecureConfigurationsAssessmentExport",
    query: { sasValidHours: "6" },
  },
  getOne("ExportSoftwareVulnerabilitiesFiles", (c) => c.exports.exportSoftwareVulnerabilitiesFiles(), "/api/machines/SoftwareVulnerabilitiesExport"),
  getOne("ExportSoftwareInventoryFiles", (c) => c.exports.exportSoftwareInventoryFiles(), "/api/machines/SoftwareInventoryExport"),
  getOne("ExportSoftwareInventoryNonCpeFiles", (c) => c.exports.exportSoftwareInventoryNonCpeFiles(), "/api/machines/SoftwareInventoryNonCpeExport"),
  // §5.18 Library
  { op: "ListLibraryFiles", call: (c) => c.library.list(), method: "GET", path: "/api/libraryfiles", respond: list },
  {
    op: "UploadLibraryFile",
    call: (c) =>
      c.library.upload({
        fileName: "minidump.ps1",
        content: "Write-Output 1",
        description: "dump",
        hasParameters: true,
        overrideIfExists: true,
      }),
    method: "POST",
    path: "/api/libraryfiles",
  },
  {
    op: "DeleteLibraryFile",
    call: (c) => c.library.delete("minidump.ps1"),
    method: "DELETE",
    path: "/api/libraryfiles/minidump.ps1",
    respond: { status: 204 },
  },
];

async function run(row: Row): Promise<Captured[]> {
  const status = row.respond?.status ?? 200;
  const body = row.respond && "body" in row.respond ? row.respond.body : {};
  const fetchImpl: FetchLike = async () =>
    new Response(status === 204 ? null : typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  const transport = createTestTransport(fetchImpl);
  const client = createMdeApi(transport, { clock: { now: () => NOW, sleep: async () => {} } });
  await (row.call(client) as PromiseLike<unknown>);
  return transport.captured;
}

describe("resources send the documented requests", () => {
  for (const row of ROWS) {
    it(`${row.op}: ${row.method} ${row.path}`, async () => {
      const captured = await run(row);
      assert.equal(captured.length, 1, "exactly one request");
      const [c] = captured as [Captured];
      const spec = OPERATIONS[row.op];
      assert.equal(c.request.operation, row.op);
      assert.equal(c.method, row.method);
      assert.equal(c.method, spec.method);
      assert.equal(c.request.path, row.path);
      assert.deepStrictEqual(c.request.permissions, spec.permissions);
      assert.equal(c.request.idempotent, spec.idempotent);
      assert.equal(c.request.budget, spec.budget);
      if (row.query !== undefined) assert.deepStrictEqual(Object.fromEntries(c.url.searchParams), row.query);
      if (row.body !== undefined) assert.deepStrictEqual(c.body, row.body);
      if (row.method === "GET" || row.method === "DELETE") assert.equal(c.body, undefined);
    });
  }

  it("covers every operation in the registry", () => {
    const tested = new Set(ROWS.map((r) => r.op));
    assert.deepStrictEqual(
      Object.keys(OPERATIONS).filter((o) => !tested.has(o as keyof typeof OPERATIONS)),
      [],
    );
  });

  it("carries the documented rate limits of §7 on the operations", () => {
    assert.deepStrictEqual(OPERATIONS.GetPackageUri.limits, { perMinute: 2, perHour: 120 });
    assert.deepStrictEqual(OPERATIONS.RunLiveResponse.limits, { perMinute: 10 });
    assert.deepStrictEqual(OPERATIONS.RunAdvancedQuery.limits, { perMinute: 45, perHour: 1500 });
    assert.deepStrictEqual(OPERATIONS.ImportIndicators.limits, { perMinute: 30 });
    assert.deepStrictEqual(OPERATIONS.BatchUpdateAlerts.limits, { perMinute: 10, perHour: 500 });
    assert.deepStrictEqual(OPERATIONS.StartInvestigation.limits, { perHour: 50 });
    assert.deepStrictEqual(OPERATIONS.ExportSoftwareVulnerabilitiesFiles.limits, { perMinute: 5, perHour: 20 });
    assert.deepStrictEqual(OPERATIONS.ListMachineVulnerabilities.limits, { perMinute: 50, perHour: 1500 });
    assert.deepStrictEqual(OPERATIONS.ListSoftware.limits, {}, "DOC-SILENT");
  });

  it("library upload is multipart with the documented PascalCase fields", async () => {
    const captured = await run(ROWS.find((r) => r.op === "UploadLibraryFile")!);
    const form = captured[0]!.body as FormData;
    assert.ok(form instanceof FormData);
    const file = form.get("File") as File;
    assert.equal(file.name, "minidump.ps1");
    assert.equal(await file.text(), "Write-Output 1");
    assert.equal(form.get("Description"), "dump");
    assert.equal(form.get("HasParameters"), "true");
    assert.equal(form.get("OverrideIfExists"), "true");
  });

  it("drops wrongly cased or unknown body properties instead of sending them", async () => {
    const transport = createTestTransport(async () => new Response("{}", { status: 200 }));
    const client = createMdeApi(transport);
    await client.alerts.update(ALERT, { status: "Resolved", Status: "New", extra: 1 } as never);
    assert.deepStrictEqual(transport.captured[0]!.body, { status: "Resolved" });
  });

  it("removeTag sends Action Remove", async () => {
    const transport = createTestTransport(async () => new Response("{}", { status: 200 }));
    await createMdeApi(transport).machines.removeTag(MACHINE, "old");
    assert.deepStrictEqual(transport.captured[0]!.body, { Value: "old", Action: "Remove" });
  });

  it("indicator import is split into calls of at most 500, results in order", async () => {
    let n = 0;
    const transport = createTestTransport(async (_url, init) => {
      const sent = JSON.parse(String(init.body)) as { Indicators: Array<{ indicatorValue: string }> };
      return new Response(
        JSON.stringify({
          value: sent.Indicators.map((i) => ({ id: String(++n), indicator: i.indicatorValue, isFailed: false, failureReason: null })),
        }),
        { status: 200 },
      );
    });
    const indicators = Array.from({ length: 1201 }, (_, i) => ({
      indicatorValue: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      indicatorType: "IpAddress",
      action: "Block",
      title: "t",
      description: "d",
    }));
    const results = await createMdeApi(transport).indicators.import(indicators);
    assert.deepStrictEqual(
      transport.captured.map((c) => (c.body as { Indicators: unknown[] }).Indicators.length),
      [500, 500, 201],
    );
    assert.equal(results.length, 1201);
    assert.deepStrictEqual(
      results.map((r) => r.indicator),
      indicators.map((i) => i.indicatorValue),
    );
  });

  it("multi-machine tagging is split into calls of at most 500 machines", async () => {
    const transport = createTestTransport(async () => new Response("{}", { status: 200 }));
    const ids = Array.from({ length: 750 }, (_, i) => i.toString(16).padStart(40, "0"));
    await createMdeApi(transport).machines.tagMany(ids, "t", "Add");
    assert.deepStrictEqual(
      transport.captured.map((c) => (c.body as { MachineIds: string[] }).MachineIds.length),
      [500, 250],
    );
  });

  it("caller mistakes are TypeErrors before any request", async () => {
    const transport = createTestTransport(async () => new Response("{}", { status: 200 }));
    const c = createMdeApi(transport);
    assert.throws(() => c.machineActions.isolate(MACHINE, { comment: "" }), TypeError);
    assert.throws(() => c.machineActions.runAntiVirusScan(MACHINE, { comment: "x" } as never), TypeError);
    assert.throws(() => c.machineActions.stopAndQuarantineFile(MACHINE, { comment: "x", sha1: "abc" }), TypeError);
    assert.throws(() => c.files.getStats(SHA1, { lookBackHours: 721 }), TypeError);
    assert.throws(() => c.ips.getStats("10.0.0.300"), TypeError);
    assert.throws(() => c.machines.findByIp("10.0.0.1' or 1 eq 1", new Date()), TypeError);
    assert.throws(() => c.exports.exportSecureConfigurationsFiles({ sasValidHours: 7 }), TypeError);
    assert.throws(() => c.exports.listSoftwareVulnerabilityChanges(new Date(Date.now() - 15 * 86_400_000)), TypeError);
    assert.throws(
      () => c.indicators.submit({ indicatorValue: "x", indicatorType: "Url", action: "Audit", title: "t", description: "d" }),
      TypeError,
    );
    await assert.rejects(c.indicators.import([]), TypeError);
    assert.equal(transport.captured.length, 0);
  });
});
