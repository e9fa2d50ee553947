/**
 * The baseline model and planner without a network: a document is validated with the path of
 * every mistake, the planner creates what is missing, updates what differs, deletes only what
 * this baseline created, leaves objects it did not create alone (unless it adopts them), applies
 * per-tenant overrides, and refuses a tenant that would go over 15,000 active indicators.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GraphDetectionRule, Indicator } from "@mde-partner/client";
import { BaselineValidationError, parseBaseline, planTenant, readMark, withMark } from "@mde-partner/sync";

const T1 = "11111111-1111-4111-8111-111111111111";
const T2 = "22222222-2222-4222-8222-222222222222";
const NOW = Date.parse("2026-12-03T00:00:00Z");

const doc = (extra: Record<string, unknown> = {}) => ({
  name: "fleet",
  scope: { tenants: "all" },
  indicators: [
    { indicatorType: "DomainName", indicatorValue: "Evil.example", action: "block", title: "Attacker domain", severity: "high" },
    { indicatorType: "IpAddress", indicatorValue: "203.0.113.7", action: "Audit", title: "Attacker address" },
  ],
  detectionRules: [{ key: "mimikatz", displayName: "Mimikatz", query: "DeviceProcessEvents | take 1", schedule: "1H", alertTemplate: { title: "Mimikatz", severity: "High" } }],
  ...extra,
});

let nextId = 100;
function indicator(fields: Partial<Indicator> & Pick<Indicator, "indicatorType" | "indicatorValue">): Indicator {
  return { id: String(nextId++), action: "Block", title: "t", description: "d", ...fields } as Indicator;
}

describe("baseline model", () => {
  it("normalizes what it accepts: enum casing, Audit alerts, schedules as ISO durations, a revision digest", () => {
    const b = parseBaseline(doc(), NOW);
    assert.equal(b.indicators[0]!.action, "Block");
    assert.equal(b.indicators[0]!.severity, "High");
    assert.equal(b.indicators[1]!.generateAlert, true);
    assert.equal(b.indicators[1]!.description, "Attacker address");
    assert.equal(b.detectionRules[0]!.frequency, "PT1H");
    assert.equal(b.detectionRules[0]!.alertTemplate.severity, "high");
    assert.match(b.revision, /^[0-9a-f]{12}$/);
    assert.equal(parseBaseline(doc(), NOW).revision, b.revision, "the same content, the same revision");
    assert.equal(parseBaseline(doc({ revision: "2026-12-r3" }), NOW).revision, "2026-12-r3");
  });

  it("reports every mistake with its path", () => {
    let error: unknown;
    try {
      parseBaseline(
        doc({
          scope: { tenants: ["not-a-guid"] },
          indicators: [
            { indicatorType: "IpAddress", indicatorValue: "10.0.0.0/8", action: "Block", title: "range" },
            { indicatorType: "DomainName", indicatorValue: "a.example", action: "Block", title: "old", expirationTime: "2020-01-01T00:00:00Z" },
            { indicatorType: "DomainName", indicatorValue: "b.example", action: "Block", title: "b", colour: "red" },
            { indicatorType: "DomainName", indicatorValue: "B.example", action: "Block", title: "dup" },
          ],
        }),
        NOW,
      );
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof BaselineValidationError);
    const issues = error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    assert.ok(issues.some((i) => i.startsWith("scope.tenants.0: must be a tenant id")), issues.join("\n"));
    assert.ok(issues.includes("indicators.0.indicatorValue: CIDR ranges are not supported by MDE indicators"), issues.join("\n"));
    assert.ok(issues.some((i) => i.startsWith("indicators.1.expirationTime: is in the past")), issues.join("\n"));
    assert.ok(issues.some((i) => i.startsWith("indicators.2.colour: unknown field")), issues.join("\n"));
    assert.ok(issues.includes("indicators.3: duplicates the indicator at indicators[2]"), issues.join("\n"));
  });

  it("marks ownership at the end of a description and reads it back", () => {
    const text = withMark("Seen in incident 42", { baseline: "fleet", rule: "mimikatz" });
    assert.deepEqual(readMark(text), { baseline: "fleet", rule: "mimikatz" });
    assert.deepEqual(readMark(withMark(text, { baseline: "other" })), { baseline: "other" }, "marking again replaces the mark");
    assert.equal(readMark("no mark here"), undefined);
    // A rule without a key is keyed by its display name, up to 256 characters: its mark must read back.
    const long = "Credential theft: LSASS memory read by an unsigned process outside the usual admin tools";
    assert.deepEqual(readMark(withMark("x", { baseline: "fleet", rule: long })), { baseline: "fleet", rule: long });
  });
});

describe("baseline planner", () => {
  const b = parseBaseline(doc(), NOW);
  const mark = (t: string) => withMark(t, { baseline: "fleet" });

  it("creates what is missing, then nothing once it is there", () => {
    const empty = planTenant(b, T1, { indicators: [], detectionRules: [], machines: [] });
    assert.deepEqual([empty.create, empty.update, empty.delete], [3, 0, 0]);
    assert.equal(empty.work.indicatorUpserts.length, 2);
    assert.ok(empty.work.indicatorUpserts.every((i) => readMark(i.description)?.baseline === "fleet"));
    const rule = empty.work.ruleCreates[0]!.input;
    const have: GraphDetectionRule = {
      id: "7",
      displayName: rule.displayName,
      isEnabled: true,
      queryCondition: { queryText: rule.queryCondition.queryText },
      schedule: { frequency: "PT1H" },
      detectionAction: { alertTemplate: { ...rule.detectionAction.alertTemplate!, recommendedActions: null, tactics: [] }, automatedActions: null, organizationalScope: null },
    };
    const done = planTenant(b, T1, {
      indicators: empty.work.indicatorUpserts.map((i) => indicator({ ...i, expirationTime: null }) as Indicator),
      detectionRules: [have],
      machines: [],
    });
    assert.deepEqual([done.create, done.update, done.delete, done.unchanged], [0, 0, 0, 3]);
  });

  it("updates a changed field, deletes only its own leftovers, and leaves others' objects alone", () => {
    const plan = planTenant(b, T1, {
      indicators: [
        indicator({ indicatorType: "DomainName", indicatorValue: "evil.example", action: "Allowed", severity: "High", title: "Attacker domain", description: mark("Attacker domain") }),
        indicator({ indicatorType: "IpAddress", indicatorValue: "203.0.113.7", action: "Audit", title: "Someone else's", description: "hand-made" }),
        indicator({ indicatorType: "FileSha1", indicatorValue: "a".repeat(40), description: mark("dropped from the baseline") }),
        indicator({ indicatorType: "FileSha1", indicatorValue: "b".repeat(40), description: withMark("x", { baseline: "other" }) }),
      ],
      detectionRules: [],
      machines: [],
    });
    assert.deepEqual(
      plan.changes.map((c) => `${c.object}:${c.action}:${c.key}${c.fields ? `:${c.fields.join(",")}` : ""}`).sort(),
      ["detectionRule:create:mimikatz", `indicator:delete:FileSha1:${"a".repeat(40)}`, "indicator:update:DomainName:evil.example:action"],
    );
    assert.equal(plan.conflicts, 1, "the hand-made address is not the baseline's");
    const adopting = planTenant(parseBaseline(doc({ adopt: true }), NOW), T1, {
      indicators: [indicator({ indicatorType: "IpAddress", indicatorValue: "203.0.113.7", action: "Audit", title: "Someone else's", description: "hand-made" })],
      detectionRules: [],
      machines: [],
    });
    assert.equal(adopting.conflicts, 0);
    assert.ok(adopting.changes.some((c) => c.action === "update" && c.key === "IpAddress:203.0.113.7"));
  });

  it("applies a tenant's overrides", () => {
    const o = parseBaseline(doc({ overrides: { [T2]: { excludeIndicators: ["203.0.113.7"], excludeDetectionRules: ["mimikatz"] } } }), NOW);
    assert.equal(planTenant(o, T1, { indicators: [], detectionRules: [], machines: [] }).create, 3);
    assert.equal(planTenant(o, T2, { indicators: [], detectionRules: [], machines: [] }).create, 1);
  });

  it("refuses a tenant that would hold more than 15,000 active indicators, saying by how many", () => {
    const held = Array.from({ length: 14_999 }, (_, i) => indicator({ indicatorType: "FileSha256", indicatorValue: i.toString(16).padStart(64, "0") }));
    const plan = planTenant(b, T1, { indicators: held, detectionRules: [], machines: [] });
    assert.equal(plan.refused, "would hold 15,001 active indicators, 1 over the limit of 15,000 per tenant");
    const fits = planTenant(b, T1, { indicators: held.slice(1), detectionRules: [], machines: [] });
    assert.equal(fits.refused, undefined);
  });

  it("tags the machines a device-tag rule matches that lack the tag", () => {
    const t = parseBaseline(doc({ deviceTags: [{ tag: "MSSP-Managed", match: { osPlatform: ["Windows11"] } }] }), NOW);
    const plan = planTenant(t, T1, {
      indicators: [],
      detectionRules: [],
      machines: [
        { id: "m1", computerDnsName: "a", osPlatform: "Windows11", rbacGroupName: null, machineTags: [] },
        { id: "m2", computerDnsName: "b", osPlatform: "Windows11", rbacGroupName: null, machineTags: ["MSSP-Managed"] },
        { id: "m3", computerDnsName: "c", osPlatform: "Linux", rbacGroupName: null, machineTags: [] },
      ],
    });
    assert.deepEqual(plan.work.tagAdds, [{ tag: "MSSP-Managed", machineIds: ["m1"] }]);
  });
});
