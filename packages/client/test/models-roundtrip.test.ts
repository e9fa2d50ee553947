/**
 * Every documented MDE response example parses through the client method that returns it, with
 * nothing lost: the value the client hands back deep-equals the example JSON (collections per item).
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { createMdeApi, type MdeApi } from "@mde-partner/client";
import { createTestTransport, EXAMPLES_DIR, example, MACHINE, respondWith, SHA1, TVM_MACHINE } from "./resources-fixture.js";

type Shape = "entity" | "collection" | "array" | "value";
interface Row {
  file: string;
  shape: Shape;
  call: (c: MdeApi) => unknown;
}

const ALERT = "da637472900382838869_1364969609";
const RELATED_ALERT = "636688558380765161_2136280442";
const ACTION = "5382f7ea-7557-4ab7-9782-d50480024a4e";

const TABLE: Row[] = [
  { file: "get-alert.response.json", shape: "entity", call: (c) => c.alerts.get(ALERT) },
  { file: "list-alerts.response.json", shape: "collection", call: (c) => c.alerts.list() },
  {
    file: "list-alerts-top10-expand-evidence.response.json",
    shape: "collection",
    call: (c) => c.alerts.list({ top: 10, expand: ["evidence"] }),
  },
  { file: "alert-related-domains.response.json", shape: "collection", call: (c) => c.alerts.listDomains(RELATED_ALERT) },
  { file: "alert-related-files.response.json", shape: "collection", call: (c) => c.alerts.listFiles(RELATED_ALERT) },
  { file: "alert-related-ips.response.json", shape: "collection", call: (c) => c.alerts.listIps(RELATED_ALERT) },
  { file: "alert-related-machine.response.json", shape: "entity", call: (c) => c.alerts.getMachine(RELATED_ALERT) },
  { file: "alert-related-user.response.json", shape: "entity", call: (c) => c.alerts.getUser(RELATED_ALERT) },
  { file: "list-machines.response.json", shape: "collection", call: (c) => c.machines.list() },
  { file: "get-machine.response.json", shape: "entity", call: (c) => c.machines.get(MACHINE) },
  { file: "machine-logon-users.response.json", shape: "collection", call: (c) => c.machines.listLogonUsers(MACHINE) },
  {
    file: "find-machine-info-by-ip.response.json",
    shape: "collection",
    call: (c) => c.machines.findByIpLegacy("10.166.93.61", "2018-06-19T10:00:00Z"),
  },
  { file: "machine-software.response.json", shape: "collection", call: (c) => c.machines.listSoftware(TVM_MACHINE) },
  { file: "machine-vulnerabilities.response.json", shape: "collection", call: (c) => c.machines.listVulnerabilities(TVM_MACHINE) },
  { file: "machine-recommendations.response.json", shape: "collection", call: (c) => c.machines.listRecommendations(TVM_MACHINE) },
  {
    file: "odata-machines-filter.response.json",
    shape: "collection",
    call: (c) => c.machines.list({ filter: (f) => f.ne("healthStatus", "Active"), top: 100 }),
  },
  {
    file: "odata-machine-alerts-count.response.json",
    shape: "value",
    call: (c) => c.machines.countAlerts("123321d0c675eaa415b8e5f383c6388bff446c62", { filter: (f) => f.ne("status", "Resolved") }),
  },
  { file: "machineaction-entity.json", shape: "entity", call: (c) => c.machineActions.get(ACTION) },
  { file: "list-machineactions.response.json", shape: "collection", call: (c) => c.machineActions.list() },
  {
    file: "list-machineactions-filter-top2.response.json",
    shape: "collection",
    call: (c) => c.machineActions.list({ filter: (f) => f.eq("machineId", "f46b9bb259ed4a7fb9981b73510e3cc7aa81ec1f"), top: 2 }),
  },
  {
    file: "odata-machineactions-filter.response.json",
    shape: "collection",
    call: (c) =>
      c.machineActions.list({ filter: (f) => f.and(f.eq("requestor", "Analyst@contoso.com"), f.eq("type", "RunAntiVirusScan")) }),
  },
  { file: "get-machineaction.response.json", shape: "entity", call: (c) => c.machineActions.get(ACTION) },
  {
    file: "isolate-machine.response.json",
    shape: "entity",
    call: (c) => c.machineActions.isolate(MACHINE, { comment: "Isolate machine due to alert 1234", isolationType: "Full" }),
  },
  { file: "get-package-uri.response.json", shape: "entity", call: (c) => c.machineActions.getPackageUri(ACTION) },
  {
    file: "run-live-response.response.json",
    shape: "entity",
    call: (c) =>
      c.machineActions.runLiveResponse(MACHINE, {
        comment: "Testing Live Response API",
        commands: [{ type: "GetFile", params: [{ key: "Path", value: "C:\\windows\\TEMP\\OfficeClickToRun.dmp.zip" }] }],
      }),
  },
  {
    file: "get-live-response-result.response.json",
    shape: "entity",
    call: (c) => c.machineActions.getLiveResponseResultLink("988cc94e-7a8f-4b28-ab65-54970c5d5018", 0),
  },
  { file: "advanced-hunting.response.json", shape: "entity", call: (c) => c.hunting.run("DeviceProcessEvents | limit 2") },
  {
    file: "indicator-entity.json",
    shape: "entity",
    call: (c) =>
      c.indicators.submit({
        indicatorValue: "881c0f10c75e64ec39d257a131fcd531f47dd2cff2070ae94baa347d375126fd",
        indicatorType: "FileSha256",
        action: "AlertAndBlock",
        title: "Michael test",
        description: "test",
      }),
  },
  { file: "list-indicators.response.json", shape: "collection", call: (c) => c.indicators.list() },
  {
    file: "list-indicators-filter-action.response.json",
    shape: "collection",
    call: (c) => c.indicators.list({ filter: (f) => f.eq("action", "AlertAndBlock") }),
  },
  {
    file: "import-indicators.response.json",
    shape: "array",
    call: (c) => c.indicators.import((example("import-indicators.request.json") as { Indicators: never[] }).Indicators),
  },
  { file: "investigation-entity.json", shape: "entity", call: (c) => c.investigations.get("63004") },
  { file: "file-entity.json", shape: "entity", call: (c) => c.files.get(SHA1) },
  { file: "get-file.response.json", shape: "entity", call: (c) => c.files.get(SHA1) },
  { file: "list-software.response.json", shape: "collection", call: (c) => c.software.list() },
  { file: "software-distributions.response.json", shape: "collection", call: (c) => c.software.listDistributions("microsoft-_-edge") },
  {
    file: "software-machine-references.response.json",
    shape: "collection",
    call: (c) => c.software.listMachineReferences("microsoft-_-edge"),
  },
  { file: "software-missing-kbs.response.json", shape: "collection", call: (c) => c.software.listMissingKbs("microsoft-_-edge") },
  { file: "list-vulnerabilities.response.json", shape: "collection", call: (c) => c.vulnerabilities.list() },
  { file: "list-vulnerabilities-newer-revision.response.json", shape: "collection", call: (c) => c.vulnerabilities.list() },
  {
    file: "list-machines-vulnerabilities.response.json",
    shape: "collection",
    call: (c) => c.vulnerabilities.listMachinesVulnerabilities(),
  },
  { file: "get-vulnerability.response.json", shape: "entity", call: (c) => c.vulnerabilities.get("CVE-2019-0608") },
  {
    file: "vulnerability-machine-references.response.json",
    shape: "collection",
    call: (c) => c.vulnerabilities.listMachineReferences("CVE-2019-0608"),
  },
  { file: "list-recommendations.response.json", shape: "collection", call: (c) => c.recommendations.list() },
  { file: "get-recommendation.response.json", shape: "entity", call: (c) => c.recommendations.get("va-_-google-_-chrome") },
  { file: "recommendation-software.response.json", shape: "entity", call: (c) => c.recommendations.getSoftware("va-_-google-_-chrome") },
  {
    file: "recommendation-vulnerabilities.response.json",
    shape: "collection",
    call: (c) => c.recommendations.listVulnerabilities("va-_-google-_-chrome"),
  },
  { file: "exposure-score.response.json", shape: "entity", call: (c) => c.scores.getExposureScore() },
  { file: "configuration-score.response.json", shape: "entity", call: (c) => c.scores.getConfigurationScore() },
  { file: "exposure-score-by-machine-groups.response.json", shape: "collection", call: (c) => c.scores.listExposureScoreByMachineGroups() },
  {
    file: "remediation-task-machine-references.response.json",
    shape: "collection",
    call: (c) => c.remediationTasks.listMachineReferences("03942ef5-aecb-4c6e-b555-d6a97013844c"),
  },
  { file: "info-gathering-export.response.json", shape: "entity", call: (c) => c.deviceAvHealth.exportFiles({ sasValidHours: 3 }) },
  {
    file: "secure-config-assessment-by-machine.response.json",
    shape: "collection",
    call: (c) => c.exports.listSecureConfigurations({ pageSize: 5 }),
  },
  { file: "secure-config-assessment-export.response.json", shape: "entity", call: (c) => c.exports.exportSecureConfigurationsFiles() },
];

// Example files that are not successful MDE API responses, with the reason.
const NOT_MDE_RESPONSES: Record<string, string> = {
  "error-invalid-request-body.response.json": "error body: the pipeline turns it into a typed error",
  "error-resource-not-found.response.json": "error body: the pipeline turns it into a typed error",
  "live-response-runscript-transcript.json": "content of a SAS download, not an API response",
};

describe("models round-trip: documented responses survive parsing unchanged", () => {
  for (const row of TABLE) {
    it(`${row.file} → client`, async () => {
      const body = example(row.file) as Record<string, unknown>;
      const client = createMdeApi(createTestTransport(respondWith(body)));
      const result = await (row.call(client) as PromiseLike<unknown>);
      switch (row.shape) {
        case "entity":
        case "value":
          assert.deepStrictEqual(result, body);
          break;
        case "array":
          assert.deepStrictEqual(result, body["value"]);
          break;
        case "collection": {
          const page = result as { value: unknown[]; nextLink?: string; context?: string };
          const expected = body["value"] as unknown[];
          assert.equal(page.value.length, expected.length);
          for (const [i, item] of expected.entries()) assert.deepStrictEqual(page.value[i], item, `item ${i}`);
          assert.equal(page.context, body["@odata.context"]);
          assert.equal(page.nextLink, body["@odata.nextLink"]);
          break;
        }
      }
    });
  }

  it("hunting keeps Schema/Results and offers schema/results aliases", async () => {
    const body = example("advanced-hunting.response.json") as { Schema: unknown[]; Results: unknown[] };
    const client = createMdeApi(createTestTransport(respondWith(body)));
    const result = await client.hunting.run<{ DeviceId: string }>("DeviceProcessEvents | limit 2");
    assert.deepStrictEqual(result.schema, body.Schema);
    assert.equal(result.results[0]?.DeviceId, "10cbf9182d4e95660362f65cfa67c7731f62fdb3");
    assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), body);
  });

  it("covers every MDE response/entity example in the reference folder", () => {
    const files = readdirSync(EXAMPLES_DIR).filter(
      (f) => (f.endsWith(".response.json") || f.endsWith("-entity.json") || f.endsWith("transcript.json")) && !isIdentityExample(f),
    );
    const covered = new Set([...TABLE.map((r) => r.file), ...Object.keys(NOT_MDE_RESPONSES)]);
    const missing = files.filter((f) => !covered.has(f));
    assert.deepStrictEqual(missing, []);
  });
});

/** Entra token/discovery examples belong to the identity side, not the MDE API. */
function isIdentityExample(file: string): boolean {
  return /^(token-|jwks-|openid-)/.test(file);
}
