import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  adminConsentUrl,
  type AdminConsentUrlOptions,
  checkRedirectUri,
  consentStateMatches,
  createConsentState,
  legacyConsentUrl,
  parseConsentCallback,
} from "@mde-partner/client";

const CLIENT = "11111111-2222-4333-8444-555555555555";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** The admin-consent link of `CLIENT` in the public cloud, parsed; `options` override any part. */
const consentUrl = (options: Partial<AdminConsentUrlOptions>) =>
  new URL(
    adminConsentUrl({ loginUrl: "https://login.microsoftonline.com", clientId: CLIENT, redirectUri: "https://p.example/cb", ...options }),
  );

describe("consent links", () => {
  it("builds the legacy link the MDE partner pages print", () => {
    assert.equal(
      legacyConsentUrl("https://login.microsoftonline.com", CLIENT),
      `https://login.microsoftonline.com/common/oauth2/authorize?prompt=consent&client_id=${CLIENT}&response_type=code&sso_reload=true`,
    );
  });

  it("builds the v2 admin-consent link (organizations by default, tenant-specific on request)", () => {
    const url = consentUrl({ redirectUri: "https://partner.example/cb?x=1&y=2", state: "s t" });
    assert.equal(url.pathname, "/organizations/v2.0/adminconsent");
    assert.equal(url.searchParams.get("scope"), "https://api.securitycenter.microsoft.com/.default");
    assert.equal(url.searchParams.get("redirect_uri"), "https://partner.example/cb?x=1&y=2");
    assert.equal(url.searchParams.get("state"), "s t");
    const tenant = consentUrl({ loginUrl: "https://login.microsoftonline.us", tenant: "Contoso.onmicrosoft.com" });
    assert.equal(tenant.href.startsWith("https://login.microsoftonline.us/contoso.onmicrosoft.com/v2.0/adminconsent?"), true);
    assert.throws(() => consentUrl({ tenant: "common" }), TypeError);
  });

  it("builds the no-version admin-consent link (common allowed there, no scope)", () => {
    const url = consentUrl({ endpoint: "none" });
    assert.equal(url.pathname, "/common/adminconsent");
    assert.equal(url.searchParams.has("scope"), false);
  });

  it("accepts https redirect URIs, and http only to localhost or a loopback address (Entra's rule)", () => {
    for (const ok of [
      "https://partner.example/consent/callback",
      "https://partner.example:8443/cb?x=1",
      "http://localhost/consent/callback",
      "http://localhost:8080/consent/callback",
      "http://127.0.0.1:8080/cb",
      "http://127.45.6.7/cb",
      "http://[::1]:8080/cb",
    ]) {
      assert.equal(checkRedirectUri(ok), new URL(ok).toString(), ok);
    }
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript://partner.example/%0aalert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "http://partner.example/consent/callback",
      "http://10.0.0.5/cb",
      "http://127.0.0.1.evil.example/cb",
      "http://localhost.evil.example/cb",
      "http://[::ffff:7f00:1]/cb",
      "ftp://partner.example/cb",
      "https://user:pass@partner.example/cb",
      "https://partner.example/cb#frag",
      `https://partner.example/${"a".repeat(260)}`,
      "not a url",
      "",
    ]) {
      assert.throws(() => checkRedirectUri(bad), TypeError, bad);
      assert.throws(
        () => adminConsentUrl({ loginUrl: "https://login.microsoftonline.com", clientId: CLIENT, redirectUri: bad, state: "s" }),
        TypeError,
        `adminConsentUrl must refuse ${bad}`,
      );
    }
  });

  it("rejects a client id that is not a GUID", () => {
    assert.throws(() => legacyConsentUrl("https://login.microsoftonline.com", "app&evil=1"), TypeError);
  });
});

describe("consent callback", () => {
  it("accepts admin_consent=True with a tenant GUID and the issued state", () => {
    const state = createConsentState();
    assert.ok(state.length >= 40);
    const result = parseConsentCallback(
      `https://p.example/cb?admin_consent=True&tenant=${TENANT.toUpperCase()}&state=${state}&scope=https%3A%2F%2Fapi.securitycenter.microsoft.com%2F.default`,
      { expectedState: state },
    );
    assert.equal(result.tenantId, TENANT);
    assert.deepEqual(result.scopes, ["https://api.securitycenter.microsoft.com/.default"]);
  });

  it("turns error redirects into ERR_MDE_CONSENT_DENIED", () => {
    assert.throws(() => parseConsentCallback("error=permission_denied&error_description=The+admin+canceled+the+request"), {
      code: "ERR_MDE_CONSENT_DENIED",
      oauthError: "permission_denied",
    });
    assert.throws(
      () =>
        parseConsentCallback(
          `?admin_consent=True&error=consent_required&error_description=${encodeURIComponent("AADSTS65004: User declined.\r\nTrace ID: x")}&state=abc`,
          { expectedState: "abc" },
        ),
      { code: "ERR_MDE_CONSENT_DENIED", aadsts: 65004 },
    );
  });

  it("refuses a foreign state before anything else, and a non-GUID tenant", () => {
    assert.throws(() => parseConsentCallback(`admin_consent=True&tenant=${TENANT}&state=forged`, { expectedState: "issued" }), {
      code: "ERR_MDE_CONSENT_STATE_MISMATCH",
    });
    assert.throws(() => parseConsentCallback(`error=x&state=forged`, { expectedState: "issued" }), {
      code: "ERR_MDE_CONSENT_STATE_MISMATCH",
    });
    assert.throws(() => parseConsentCallback("admin_consent=True&tenant=contoso.com"), { code: "ERR_MDE_INVALID_RESPONSE" });
    assert.equal(consentStateMatches("abc", "abc"), true);
    assert.equal(consentStateMatches(null, "abc"), false);
  });
});
