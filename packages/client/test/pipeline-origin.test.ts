import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { json, listAlerts, pipelineClient, scriptedFetch, TENANT_A } from "./pipeline-fakes.js";

const ok = () => json(200, { value: [] });

describe("request URLs and the bearer token's origin", () => {
  it("refuses a next-page link to another origin before anything is sent", async () => {
    const { fetch, seen } = scriptedFetch([ok()]);
    const { partner, credential } = pipelineClient({ fetch });
    const tenant = partner.tenant(TENANT_A);
    for (const url of [
      "https://evil.example/api/alerts?$skip=10",
      "http://api.security.microsoft.com/api/alerts",
      "https://api.security.microsoft.com:444/api/alerts",
    ]) {
      await assert.rejects(tenant.transport.send({ ...listAlerts, url }), { code: "ERR_MDE_INVALID_RESPONSE" });
    }
    assert.equal(seen.length, 0);
    assert.equal(credential.calls.length, 0, "no token was even acquired");
  });

  it("follows a same-origin next-page link with the token", async () => {
    const { fetch, seen } = scriptedFetch([ok()]);
    const { partner } = pipelineClient({ fetch });
    const url = "https://api.security.microsoft.com/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=5&$skiptoken=eyJ";
    await partner.tenant(TENANT_A).transport.send({ ...listAlerts, url });
    assert.equal(seen[0]!.url, url);
    assert.match(seen[0]!.headers.get("authorization") ?? "", /^Bearer ey/);
  });

  it("uses the tenant's regional host and encodes query values (spaces as %20, not +)", async () => {
    const { fetch, seen } = scriptedFetch([ok()]);
    const { partner } = pipelineClient({ fetch });
    await partner
      .tenant(TENANT_A, { region: "eu" })
      .transport.send({ ...listAlerts, query: { $filter: "status eq 'New' and title eq 'a&b'", $top: 10, $skip: undefined } });
    assert.equal(
      seen[0]!.url,
      "https://eu.api.security.microsoft.com/api/alerts?$filter=status%20eq%20%27New%27%20and%20title%20eq%20%27a%26b%27&$top=10",
    );
    await partner.tenant(TENANT_A, { region: "api-uk" }).transport.send(listAlerts);
    assert.equal(seen[1]!.url, "https://api-uk.securitycenter.microsoft.com/api/alerts");
    assert.throws(() => partner.tenant(TENANT_A, { region: "mars" }), TypeError);
  });

  it("rejects paths that could change the host or smuggle a query", async () => {
    const { fetch, seen } = scriptedFetch([ok()]);
    const tenant = pipelineClient({ fetch }).partner.tenant(TENANT_A);
    await assert.rejects(tenant.transport.send({ ...listAlerts, path: "//evil.example/api" }), TypeError);
    await assert.rejects(tenant.transport.send({ ...listAlerts, path: "api/alerts" }), TypeError);
    await assert.rejects(tenant.transport.send({ ...listAlerts, path: "/api/alerts?$top=1" }), TypeError);
    assert.equal(seen.length, 0);
  });

  it("identifies the partner in User-Agent, followed by the client's own product token", async () => {
    const { fetch, seen } = scriptedFetch([ok()]);
    const { partner } = pipelineClient({ fetch, userAgent: "MdePartner-Contoso-ContosoCognito/1.0.0" });
    await partner.tenant(TENANT_A).transport.send(listAlerts);
    assert.match(seen[0]!.headers.get("user-agent") ?? "", /^MdePartner-Contoso-ContosoCognito\/1\.0\.0 mde-partner-client\/\d/);
  });

  it("does not follow redirects (the token must not travel with one)", async () => {
    const { fetch, seen } = scriptedFetch([new Response(null, { status: 302, headers: { location: "https://evil.example/" } })]);
    const { partner } = pipelineClient({ fetch });
    await assert.rejects(partner.tenant(TENANT_A).transport.send(listAlerts), { code: "ERR_MDE_HTTP", status: 302 });
    assert.equal(seen.length, 1);
  });

  it("logs by allow-list: no token, no query values", async () => {
    const lines: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
    const record = (obj: object, msg?: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
    const logger = { debug: record, info: record, warn: record, error: record };
    const { fetch } = scriptedFetch([json(200, {}, { "set-cookie": "s=secret-cookie", "request-id": "rid-1" })]);
    const { partner } = pipelineClient({ fetch, logger });
    const tenant = partner.tenant(TENANT_A);
    const token = await tenant.getToken();
    await tenant.transport.send({ ...listAlerts, query: { $filter: "machineName eq 'ceo-laptop'" } });
    const text = JSON.stringify(lines);
    assert.ok(lines.length > 0);
    assert.ok(!text.includes(token), "token not logged");
    assert.ok(!text.includes("ceo-laptop"), "query values not logged");
    assert.ok(!text.includes("secret-cookie"), "unlisted headers not logged");
    assert.ok(text.includes("rid-1") && text.includes("$filter"));
  });
});
