/** `$filter` builder: escaping, datetime formatting, precedence, and `$top` limits. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertFilter, createMdeApi, DateTimeLiteral, filter as f, machineFilter } from "@mde-partner/client";
import { validateTop } from "../src/odata/query.js";
import { createTestTransport, respondWith } from "./resources-fixture.js";

describe("odata filter builder", () => {
  it("renders the documented syntax", () => {
    const expr = f.and(
      f.eq("status", "New"),
      f.gt("lastUpdateTime", new Date("2019-11-22T00:00:00Z")),
      f.in("severity", ["High", "Medium"]),
      f.startswith("computerDnsName", "web"),
    );
    assert.equal(
      String(expr),
      "status eq 'New' and lastUpdateTime gt 2019-11-22T00:00:00.000Z and severity in ('High','Medium') and startswith(computerDnsName,'web')",
    );
  });

  it("doubles single quotes in strings and leaves other characters alone", () => {
    assert.equal(String(f.eq("assignedTo", "O'Brien@contoso.com")), "assignedTo eq 'O''Brien@contoso.com'");
    assert.equal(String(f.eq("title", "'; drop'")), "title eq '''; drop'''");
    assert.equal(String(f.startswith("computerDnsName", "a'b")), "startswith(computerDnsName,'a''b')");
    assert.equal(String(f.in("id", ["it's", "x"])), "id in ('it''s','x')");
  });

  it("formats datetimes unquoted, keeping a given precision", () => {
    assert.equal(String(f.ge("lastSeen", new Date(Date.UTC(2018, 7, 1)))), "lastSeen ge 2018-08-01T00:00:00.000Z");
    assert.equal(
      String(f.gt("lastUpdateTime", f.datetime("2021-01-26T20:33:57.7220239Z"))),
      "lastUpdateTime gt 2021-01-26T20:33:57.7220239Z",
    );
    assert.equal(String(f.gt("lastSeen", new DateTimeLiteral("2018-08-01Z"))), "lastSeen gt 2018-08-01Z");
    assert.throws(() => f.datetime("2021-01-26 20:33:57"), TypeError);
    assert.throws(() => f.datetime("2021-01-26T20:33:57Z' or 1 eq 1"), TypeError);
    assert.throws(() => f.eq("lastSeen", new Date("nope")), TypeError);
  });

  it("renders numbers, booleans and null bare", () => {
    assert.equal(String(f.eq("incidentId", 1126093)), "incidentId eq 1126093");
    assert.equal(String(f.eq("generateAlert", true)), "generateAlert eq true");
    assert.equal(String(f.ne("aadDeviceId", null)), "aadDeviceId ne null");
    assert.throws(() => f.eq("incidentId", Number.NaN), TypeError);
  });

  it("adds parentheses only where precedence needs them", () => {
    const a = f.eq("a", 1);
    const b = f.eq("b", 2);
    const c = f.eq("c", 3);
    assert.equal(String(f.and(f.or(a, b), c)), "(a eq 1 or b eq 2) and c eq 3");
    assert.equal(String(f.or(f.and(a, b), c)), "a eq 1 and b eq 2 or c eq 3");
    assert.equal(String(f.and(a, f.and(b, c))), "a eq 1 and b eq 2 and c eq 3");
    assert.equal(String(f.not(a)), "not (a eq 1)");
    assert.equal(String(f.not(f.or(a, b))), "not (a eq 1 or b eq 2)");
    assert.equal(String(f.and(f.not(f.startswith("x", "y")), c)), "not startswith(x,'y') and c eq 3");
    assert.equal(String(f.or(f.not(f.and(a, b)), f.and(b, f.or(a, c)))), "not (a eq 1 and b eq 2) or b eq 2 and (a eq 1 or c eq 3)");
    assert.equal(String(f.anyOf("severity", ["High", "Low"])), "severity eq 'High' or severity eq 'Low'");
    assert.equal(String(f.and(f.anyOf("severity", ["High", "Low"]), a)), "(severity eq 'High' or severity eq 'Low') and a eq 1");
  });

  it("skips absent parts of and/or and rejects bad property names", () => {
    const since: Date | undefined = undefined;
    assert.equal(String(f.and(f.eq("status", "New"), since && f.gt("lastUpdateTime", since))), "status eq 'New'");
    assert.throws(() => f.eq("status eq 'x' or id", "y"), TypeError);
    assert.throws(() => f.and(), TypeError);
    assert.throws(() => f.in("severity", []), TypeError);
  });

  it("typed builders render the same text", () => {
    assert.equal(String(alertFilter.eq("status", "New")), "status eq 'New'");
    assert.equal(String(machineFilter.eq("rbacGroupId", 140)), "rbacGroupId eq 140");
  });
});

describe("odata $top limits", () => {
  it("validateTop rejects values over the documented maximum", () => {
    assert.equal(validateTop(10_000, 10_000), 10_000);
    assert.throws(() => validateTop(10_001, 10_000), /10001.*10000/);
    assert.throws(() => validateTop(0, 10_000), TypeError);
    assert.throws(() => validateTop(1.5, 10_000), TypeError);
  });

  it("list calls reject top over 10,000 (8,000 for vulnerabilities) before sending", () => {
    const transport = createTestTransport(respondWith({ value: [] }));
    const c = createMdeApi(transport);
    assert.throws(() => c.alerts.list({ top: 10_001 }), TypeError);
    assert.throws(() => c.machines.list({ pageSize: 20_000 }), TypeError);
    assert.throws(() => c.vulnerabilities.list({ top: 8_001 }), /8000/);
    assert.throws(() => c.exports.listSecureConfigurations({ pageSize: 200_001 }), TypeError);
    assert.doesNotThrow(() => c.vulnerabilities.list({ top: 8_000 }));
    assert.throws(() => c.machines.list({ skip: -1 }), TypeError);
    assert.throws(() => c.alerts.list({ expand: ["comments" as never] }), TypeError);
    assert.equal(transport.captured.length, 0);
  });

  it("passes $select and $orderby through, validated", async () => {
    const transport = createTestTransport(respondWith({ value: [] }));
    await createMdeApi(transport).alerts.list({ select: ["id", "status"], orderby: ["lastUpdateTime desc"], top: 1 });
    const q = Object.fromEntries(transport.captured[0]!.url.searchParams);
    assert.deepStrictEqual(q, { $select: "id,status", $orderby: "lastUpdateTime desc", $top: "1" });
    assert.throws(() => createMdeApi(transport).alerts.list({ orderby: ["id; drop"] }), TypeError);
  });
});

// Compile-time checks (verified by `tsc`, never executed): typed builders constrain names and values.
export function typedFilterChecks(): void {
  // @ts-expect-error not a filterable alert property
  alertFilter.eq("computerDnsName", "x");
  // @ts-expect-error a datetime property needs a Date or a datetime literal
  alertFilter.gt("lastUpdateTime", "2024-01-01");
  // @ts-expect-error incidentId is a number
  alertFilter.eq("incidentId", "7");
  // @ts-expect-error a machines filter cannot be used for alerts
  createMdeApi(null as never).alerts.list({ filter: machineFilter.eq("id", "x") });
  createMdeApi(null as never).alerts.list({ filter: alertFilter.gt("lastUpdateTime", new Date()) });
}
