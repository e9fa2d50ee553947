import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { apiUrlFor, MDE_APP_ID, normalizeTenantId, resolveCloud } from "@mde-partner/client";

describe("cloud profiles", () => {
  it("public: commercial login host, every documented regional host old and new style", () => {
    const cloud = resolveCloud("public");
    assert.equal(cloud.loginUrl, "https://login.microsoftonline.com");
    assert.equal(cloud.apiUrl, "https://api.security.microsoft.com");
    for (const r of ["us", "eu", "uk", "au", "swa", "ina"]) assert.equal(apiUrlFor(cloud, r), `https://${r}.api.security.microsoft.com`);
    for (const r of ["us", "eu", "uk", "au"]) assert.equal(apiUrlFor(cloud, `api-${r}`), `https://api-${r}.securitycenter.microsoft.com`);
    assert.equal(apiUrlFor(cloud, "EU"), "https://eu.api.security.microsoft.com");
    assert.equal(cloud.resource, "https://api.securitycenter.microsoft.com");
    assert.equal(cloud.scope, "https://api.securitycenter.microsoft.com/.default");
    assert.ok(cloud.audiences.includes(MDE_APP_ID));
    assert.ok(Object.isFrozen(cloud));
  });

  it("US Government clouds: GCC signs in at the commercial host, GCC High and DoD at .us", () => {
    const gcc = resolveCloud("gcc");
    assert.equal(gcc.loginUrl, "https://login.microsoftonline.com");
    assert.equal(gcc.apiUrl, "https://api-gcc.securitycenter.microsoft.us");
    for (const name of ["gcc-high", "dod"] as const) {
      const c = resolveCloud(name);
      assert.equal(c.loginUrl, "https://login.microsoftonline.us");
      assert.equal(c.apiUrl, "https://api-gov.securitycenter.microsoft.us");
      assert.throws(() => apiUrlFor(c, "eu"), /no regional hosts/);
    }
  });

  it("makes the DOC-SILENT resource and scope options", () => {
    const c = resolveCloud({ name: "public", scope: "https://securitycenter.onmicrosoft.com/windowsatpservice/.default" });
    assert.equal(c.scope, "https://securitycenter.onmicrosoft.com/windowsatpservice/.default");
    const gov = resolveCloud({ name: "gcc-high", resource: "https://api.securitycenter.microsoft.com" });
    assert.equal(gov.scope, "https://api.securitycenter.microsoft.com/.default");
    assert.ok(gov.audiences.includes("https://api.securitycenter.microsoft.com"));
    assert.throws(() => resolveCloud({ name: "public", scope: "https://api.securitycenter.microsoft.com/Alert.Read" }), TypeError);
  });

  it("custom: https only (http to loopback only with allowInsecureRequests), CA from a PEM string or a file", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const dir = mkdtempSync(join(tmpdir(), "clouds-"));
    writeFileSync(join(dir, "ca.pem"), pem);
    const fromFile = resolveCloud({
      name: "custom",
      loginUrl: "https://127.0.0.1:8443/",
      apiUrl: "https://127.0.0.1:8443",
      ca: join(dir, "ca.pem"),
    });
    assert.equal(fromFile.ca, pem);
    assert.equal(fromFile.loginUrl, "https://127.0.0.1:8443");
    assert.equal(resolveCloud({ name: "custom", loginUrl: "https://x.test", apiUrl: "https://y.test", ca: pem }).ca, pem);
    assert.throws(
      () => resolveCloud({ name: "custom", loginUrl: "https://x.test", apiUrl: "https://y.test", ca: join(dir, "missing.pem") }),
      /cannot read/,
    );
    assert.throws(
      () => resolveCloud({ name: "custom", loginUrl: "http://127.0.0.1:8080", apiUrl: "http://127.0.0.1:8080" }),
      /allowInsecureRequests/,
    );
    assert.throws(
      () => resolveCloud({ name: "custom", loginUrl: "http://login.example", apiUrl: "http://login.example" }, true),
      /loopback/,
    );
    assert.equal(
      resolveCloud({ name: "custom", loginUrl: "http://127.0.0.1:8080", apiUrl: "http://localhost:8080" }, true).apiUrl,
      "http://localhost:8080",
    );
    assert.throws(() => resolveCloud({ name: "custom", loginUrl: "https://u:p@x.test", apiUrl: "https://x.test" }), TypeError);
    assert.throws(() => resolveCloud("china" as never), TypeError);
  });
});

describe("tenant ids", () => {
  it("accepts GUIDs and verified domains, lower-cased", () => {
    assert.equal(normalizeTenantId("72F988BF-86F1-41AF-91AB-2D7CD011DB47"), "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert.equal(normalizeTenantId("Contoso.onmicrosoft.com"), "contoso.onmicrosoft.com");
  });
  it("rejects everything else with a TypeError before it reaches a URL", () => {
    for (const bad of [
      "",
      "common",
      "organizations",
      "consumers",
      "../x",
      "a/b",
      "contoso",
      "72f988bf-86f1-41af-91ab",
      "x.com/../../evil",
      "tenant?x=1",
      42,
      undefined,
    ]) {
      assert.throws(() => normalizeTenantId(bad), TypeError, String(bad));
    }
  });
});
