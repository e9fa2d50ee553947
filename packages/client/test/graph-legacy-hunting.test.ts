/**
 * Hunting goes to Microsoft Graph by default; the legacy MDE endpoint is still there behind an
 * explicit `{ backend: "legacy" }` (and the deprecated `tenant.hunting.run`), and using it warns
 * once per client — through the logger and a process warning with a stable code — that it stops
 * returning data on 2027-02-01.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LEGACY_HUNTING_RETIREMENT_DATE, LEGACY_HUNTING_WARNING_CODE } from "@mde-partner/client";
import { audienceOf, graphPartner } from "./graph-fixture.js";
import { json, scriptedFetch, type Seen, TENANT_A, TENANT_B } from "./pipeline-fakes.js";

function router(seen: Seen) {
  const path = new URL(seen.url).pathname;
  if (path === "/api/advancedqueries/run") return json(200, { Schema: [{ Name: "N", Type: "Int64" }], Results: [{ N: 1 }] });
  return json(200, { schema: [{ name: "N", type: "Int64" }], results: [{ N: 1 }] });
}

function recordingLogger() {
  const warnings: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
  const noop = () => {};
  return { warnings, logger: { debug: noop, info: noop, error: noop, warn: (obj: object, msg?: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }) } };
}

async function collectWarnings<T>(fn: () => Promise<T>): Promise<{ value: T; warnings: Error[] }> {
  const warnings: Error[] = [];
  const listener = (w: Error) => {
    if ((w as { code?: string }).code === LEGACY_HUNTING_WARNING_CODE) warnings.push(w);
  };
  process.on("warning", listener);
  try {
    const value = await fn();
    // process warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    return { value, warnings };
  } finally {
    process.off("warning", listener);
  }
}

describe("hunting backends", () => {
  it("tenant.hunt uses Graph runHuntingQuery with the Graph token, and does not warn", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const { logger, warnings: logged } = recordingLogger();
    const { partner } = graphPartner({ fetch, logger });
    const { value, warnings } = await collectWarnings(() => partner.tenant(TENANT_A).hunt("DeviceInfo | count", { timespan: "P7D" }));
    assert.deepStrictEqual(value, { schema: [{ name: "N", type: "Int64" }], results: [{ N: 1 }] });
    assert.equal(new URL(seen[0]!.url).href, "https://graph.microsoft.com/v1.0/security/runHuntingQuery");
    assert.deepStrictEqual(JSON.parse(seen[0]!.body!), { Query: "DeviceInfo | count", Timespan: "P7D" });
    assert.equal(audienceOf(seen[0]!.headers.get("authorization")), "https://graph.microsoft.com");
    assert.equal(warnings.length, 0);
    assert.equal(logged.filter((w) => w.obj.event === "hunting.legacy").length, 0);
    await partner.close();
  });

  it("the legacy backend calls /api/advancedqueries/run with the MDE token and warns once per client", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const { logger, warnings: logged } = recordingLogger();
    const { partner } = graphPartner({ fetch, logger });
    const { value, warnings } = await collectWarnings(async () => {
      const first = await partner.tenant(TENANT_A).hunt("DeviceInfo | count", { backend: "legacy" });
      await partner.tenant(TENANT_B).hunt("DeviceInfo | count", { backend: "legacy" });
      await partner.tenant(TENANT_A).hunting.run("DeviceInfo | count");
      return first;
    });
    assert.deepStrictEqual(value, { Schema: [{ Name: "N", Type: "Int64" }], Results: [{ N: 1 }] });
    assert.deepStrictEqual(
      seen.map((s) => [new URL(s.url).href, audienceOf(s.headers.get("authorization"))]),
      Array(3).fill(["https://api.security.microsoft.com/api/advancedqueries/run", "https://api.securitycenter.microsoft.com"]),
    );
    assert.equal(warnings.length, 1, "one process warning per client");
    assert.equal(warnings[0]!.name, "DeprecationWarning");
    assert.match(warnings[0]!.message, new RegExp(LEGACY_HUNTING_RETIREMENT_DATE));
    const legacyLogs = logged.filter((w) => w.obj.event === "hunting.legacy");
    assert.equal(legacyLogs.length, 1);
    assert.equal(legacyLogs[0]!.obj.retiresOn, "2027-02-01");

    // Another client warns again (the state is the client's, not the module's).
    const other = graphPartner({ fetch });
    const again = await collectWarnings(() => other.partner.tenant(TENANT_A).hunt("x", { backend: "legacy" }));
    assert.equal(again.warnings.length, 1);
    await partner.close();
    await other.partner.close();
  });

  it("checks the query, the timespan and the backend before sending", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const { partner } = graphPartner({ fetch });
    const tenant = partner.tenant(TENANT_A);
    await assert.rejects(tenant.hunt(""), TypeError);
    await assert.rejects(tenant.hunt("x", { timespan: "last week" }), TypeError);
    await assert.rejects(tenant.hunt("x", { timespan: "P1D/P2D" }), TypeError);
    await assert.rejects(tenant.hunt("x", { backend: "xdr" as never }), TypeError);
    await assert.rejects(tenant.hunt("x", { workspaceId: "not-a-guid" }), TypeError);
    assert.equal(seen.length, 0);
    await tenant.hunt("x", { timespan: { start: new Date("2024-02-01T08:00:00Z"), duration: "P14D" } });
    assert.equal(JSON.parse(seen[0]!.body!).Timespan, "2024-02-01T08:00:00.000Z/P14D");
    await tenant.hunt("x", { timespan: "2024-02-01T08:00:00Z/2024-02-15T08:00:00Z" });
    assert.equal(JSON.parse(seen[1]!.body!).Timespan, "2024-02-01T08:00:00Z/2024-02-15T08:00:00Z");
    await partner.close();
  });
});
