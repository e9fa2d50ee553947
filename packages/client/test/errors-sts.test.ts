/** AADSTS codes → typed, actionable errors (mde-api.md §9), driven through the v1 grant with an injected fetch. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { createPartnerClient, MdeAuthError } from "@mde-partner/client";
import { CLIENT_ID, json, scriptedFetch, TENANT_A } from "./pipeline-fakes.js";

const SECRET = "Xy7Q~s3cr3t-value-that-must-never-leak-0123";
const stsBody = (error: string, code: number) => ({
  error,
  error_description: `AADSTS${code}: text that may change.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2026-01-01 00:00:00Z`,
  error_codes: [code],
  trace_id: "trace-1",
  correlation_id: "corr-1",
});

async function failWith(error: string, code: number, status = 400, credential: object = { clientSecret: SECRET }) {
  const { fetch } = scriptedFetch([json(status, stsBody(error, code))]);
  const partner = createPartnerClient({
    clientId: CLIENT_ID,
    credential: credential as never,
    tokenVersion: "v1",
    fetch,
    retry: { baseDelayMs: 1 },
  });
  try {
    await partner.getToken(TENANT_A);
  } catch (e) {
    return e as MdeAuthError & Record<string, unknown>;
  }
  throw new Error("expected a failure");
}

describe("token endpoint errors", () => {
  const cases: Array<[number, string, string]> = [
    [90002, "invalid_request", "ERR_MDE_TENANT_NOT_FOUND"],
    [900023, "invalid_request", "ERR_MDE_TENANT_NOT_FOUND"],
    [700016, "unauthorized_client", "ERR_MDE_CONSENT_REQUIRED"],
    [7000215, "invalid_client", "ERR_MDE_SECRET_INVALID"],
    [70002, "invalid_client", "ERR_MDE_SECRET_INVALID"],
    [7000222, "invalid_client", "ERR_MDE_SECRET_EXPIRED"],
    [70011, "invalid_scope", "ERR_MDE_SCOPE_INVALID"],
    [700022, "invalid_scope", "ERR_MDE_SCOPE_INVALID"],
    [700023, "invalid_scope", "ERR_MDE_SCOPE_INVALID"],
    [500011, "invalid_resource", "ERR_MDE_NOT_PROVISIONED"],
    [700027, "invalid_client", "ERR_MDE_CERTIFICATE_INVALID"],
    [50012, "invalid_client", "ERR_MDE_CERTIFICATE_INVALID"],
    [7000112, "unauthorized_client", "ERR_MDE_APP_DISABLED"],
    [53003, "access_denied", "ERR_MDE_AUTH"],
  ];
  for (const [aadsts, oauthError, code] of cases) {
    it(`AADSTS${aadsts} → ${code}`, async () => {
      const error = await failWith(oauthError, aadsts, oauthError === "invalid_client" ? 401 : 400);
      assert.ok(error instanceof MdeAuthError);
      assert.equal(error.code, code);
      assert.equal(error.aadsts, aadsts);
      assert.equal(error.oauthError, oauthError);
      assert.equal(error.tenantId, TENANT_A);
      assert.equal(error.correlationId, "corr-1");
      assert.match(error.message, new RegExp(`AADSTS${aadsts}`));
      for (const text of [error.message, inspect(error, { depth: 10 }), JSON.stringify(error)]) assert.ok(!text.includes(SECRET));
    });
  }

  it("says which secret failed by its hint, and how to fix it", async () => {
    const error = await failWith("invalid_client", 7000215, 401);
    assert.equal(error.secretHint, "Xy7");
    assert.match(error.message, /'Xy7…'/);
    assert.match(error.message, /Value \(not its Secret ID\)/);
  });

  it("puts the consent link in the consent error", async () => {
    const error = await failWith("unauthorized_client", 700016);
    assert.equal(
      error.consentUrl,
      `https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=${CLIENT_ID}&response_type=code&sso_reload=true`,
    );
    assert.match(error.message, /has not consented.*send its Global Administrator this link: https:\/\/login\.microsoftonline\.com/);
  });

  it("branches on the code, not the text", async () => {
    const { fetch } = scriptedFetch([
      json(400, { error: "unauthorized_client", error_description: "AADSTS90002: wording changed", error_codes: [700016] }),
    ]);
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential: { clientSecret: SECRET }, tokenVersion: "v1", fetch });
    await assert.rejects(partner.getToken(TENANT_A), { code: "ERR_MDE_CONSENT_REQUIRED" });
  });

  it("parses v1's string expires_in and sends the documented form", async () => {
    const { fetch, seen } = scriptedFetch([
      json(200, { token_type: "Bearer", expires_in: "3599", expires_on: "1", resource: "r", access_token: "ey.a.b" }),
    ]);
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential: { clientSecret: SECRET }, tokenVersion: "v1", fetch });
    assert.equal(await partner.getToken(TENANT_A), "ey.a.b");
    assert.equal(seen[0]!.url, `https://login.microsoftonline.com/${TENANT_A}/oauth2/token`);
    const form = new URLSearchParams(seen[0]!.body);
    assert.equal(form.get("grant_type"), "client_credentials");
    assert.equal(form.get("resource"), "https://api.securitycenter.microsoft.com");
    assert.equal(form.get("client_id"), CLIENT_ID);
  });

  it("refuses a token response without a usable expires_in", async () => {
    const { fetch } = scriptedFetch([json(200, { access_token: "ey.a.b", expires_in: "soon" })]);
    const partner = createPartnerClient({ clientId: CLIENT_ID, credential: { clientSecret: SECRET }, tokenVersion: "v1", fetch });
    await assert.rejects(partner.getToken(TENANT_A), { code: "ERR_MDE_INVALID_RESPONSE" });
  });
});
