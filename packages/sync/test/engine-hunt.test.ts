/**
 * Cross-tenant hunting against the emulator: one query on ten tenants, rows
 * merged with TenantId/TenantName first; a syntax error reported once per
 * tenant beside (no) rows; a tenant without the hunting permission reported
 * as such; values only through the KQL quoting helper.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { huntAcrossTenants, kql, quoteKqlString } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";

describe("huntAcrossTenants", () => {
  const { world, store } = suiteEngineWorld({
    seed: "engine-hunt",
    tenants: [
      ...Array.from({ length: 10 }, (_, i) => ({ alerts: 20, machines: 3 + i })),
      { alerts: 5, machines: 2, roles: ["Alert.Read.All", "Machine.Read.All"], graphRoles: [] },
    ],
  });

  /** One query on the tenants, through the store and a partner client. */
  const hunt = (tenantIds: string[], query: string) => huntAcrossTenants({ partner: partnerFor(world), store, tenantIds, query });

  it("runs one query on 10 tenants and merges the rows with tenant columns", async () => {
    const ten = world.info.tenants.slice(0, 10);
    const result = await hunt(ten.map((t) => t.id), "DeviceInfo | summarize arg_max(Timestamp, *) by DeviceId | project DeviceId, DeviceName, OSPlatform");
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.schema.map((c) => c.name),
      ["TenantId", "TenantName", "DeviceId", "DeviceName", "OSPlatform"],
    );
    assert.equal(
      result.rows.length,
      ten.reduce((n, t) => n + t.machines, 0),
    );
    for (const t of ten) {
      const rows = result.rows.filter((r) => r.TenantId === t.id);
      assert.equal(rows.length, t.machines, `${t.name}: one row per machine`);
      assert.ok(rows.every((r) => r.TenantName === t.name));
    }
    assert.deepEqual(Object.keys(result.rows[0]!).slice(0, 2), ["TenantId", "TenantName"]);
  });

  it("reports a syntax error once per tenant, cleanly, and no rows", async () => {
    const ten = world.info.tenants.slice(0, 10);
    const result = await hunt(ten.map((t) => t.id), "DeviceInfo | where");
    assert.deepEqual(result.rows, []);
    assert.equal(result.errors.length, 10);
    assert.deepEqual(new Set(result.errors.map((e) => e.tenantId)), new Set(ten.map((t) => t.id)));
    for (const e of result.errors) {
      assert.equal(e.code, "ERR_MDE_BAD_REQUEST");
      assert.doesNotMatch(e.message, /\n/);
      assert.ok(e.tenantName, "errors name the tenant");
    }
  });

  it("reports a tenant without the hunting permission beside the others' rows", async () => {
    const [a, , , , , , , , , , limited] = world.info.tenants;
    const result = await hunt([a!.id, limited!.id], "DeviceInfo | distinct DeviceId");
    assert.equal(result.rows.length, a!.machines);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.tenantId, limited!.id);
    assert.equal(result.errors[0]?.code, "ERR_MDE_FORBIDDEN");
  });

  it("puts values into a query only as literals", async () => {
    const [a] = world.info.tenants;
    const partner = partnerFor(world);
    const evil = `x" or DeviceName != "`;
    const injected = await huntAcrossTenants({
      partner,
      tenantIds: [a!.id],
      query: kql`DeviceInfo | where DeviceName == ${evil} | distinct DeviceId`,
    });
    assert.deepEqual(injected.errors, []);
    assert.equal(injected.rows.length, 0, "the quote did not end the literal");
    const name = String(
      (await huntAcrossTenants({ partner, tenantIds: [a!.id], query: "DeviceInfo | take 1 | project DeviceName" })).rows[0]?.DeviceName,
    );
    const found = await huntAcrossTenants({
      partner,
      tenantIds: [a!.id],
      query: kql`DeviceInfo | where DeviceName == ${name} | distinct DeviceName`,
    });
    assert.deepEqual(
      found.rows.map((r) => r.DeviceName),
      [name],
    );
  });
});

describe("KQL quoting", () => {
  it("escapes quotes, backslashes and line breaks, and refuses what is not a value", () => {
    assert.equal(quoteKqlString("plain"), '"plain"');
    assert.equal(quoteKqlString(`a"b\\c`), '"a\\"b\\\\c"');
    assert.equal(quoteKqlString("line\nbreak\ttab"), '"line\\nbreak\\ttab"');
    assert.equal(quoteKqlString("it's | take 1 // x"), `"it's | take 1 // x"`);
    assert.throws(() => quoteKqlString("nul\u0000"), TypeError);
    assert.throws(() => quoteKqlString(5 as never), TypeError);
    assert.equal(
      kql`T | where A == ${"x"} and N > ${5} and B == ${true} | where Id in ${["a", "b"]}`,
      'T | where A == "x" and N > 5 and B == true | where Id in ("a", "b")',
    );
    assert.equal(
      kql`T | where Timestamp > ${new Date("2025-01-02T03:04:05.000Z")}`,
      "T | where Timestamp > datetime(2025-01-02T03:04:05.000Z)",
    );
    assert.throws(() => kql`T | take ${Number.NaN}`, TypeError);
    assert.throws(() => kql`T | where x == ${{}}`, TypeError);
  });
});
