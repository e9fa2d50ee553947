/** The `path` helper encodes every interpolated segment and the id validators reject malformed ids. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionId, createMdeApi, cveId, encodeSegment, fileHash, machineId, path } from "@mde-partner/client";
import { createTestTransport, respondWith } from "./resources-fixture.js";

describe("path helper", () => {
  it("encodes slashes, spaces, quotes and URL syntax inside a segment", () => {
    assert.equal(path`/api/users/${"contoso/user 1"}/alerts`, "/api/users/contoso%2Fuser%201/alerts");
    assert.equal(path`/api/alerts/${"it's"}`, "/api/alerts/it%27s");
    assert.equal(path`/api/libraryfiles/${'a"b?c#d%e'}`, "/api/libraryfiles/a%22b%3Fc%23d%25e");
    assert.equal(path`/api/x/${"(1)*!"}`, "/api/x/%281%29%2A%21");
    assert.equal(path`/api/users/${"contoso\\user1"}/alerts`, "/api/users/contoso%5Cuser1/alerts");
    assert.equal(path`/api/x/${"ü"}`, "/api/x/%C3%BC");
  });

  it("refuses segments that would change the path", () => {
    assert.throws(() => encodeSegment(".."), TypeError);
    assert.throws(() => encodeSegment("."), TypeError);
    assert.throws(() => encodeSegment(""), TypeError);
    assert.throws(() => path`/api/x/${undefined}`, TypeError);
    assert.throws(() => path`/api/x/${{}}`, TypeError);
  });

  it("an odd id reaches the transport encoded as one segment", async () => {
    const transport = createTestTransport(respondWith({}));
    await createMdeApi(transport).alerts.get("da1/../../machines 'x'");
    assert.equal(transport.captured[0]!.request.path, "/api/alerts/da1%2F..%2F..%2Fmachines%20%27x%27");
    assert.equal(transport.captured[0]!.url.pathname, "/api/alerts/da1%2F..%2F..%2Fmachines%20%27x%27");
  });

  it("machine ids: 40 hex or a computer name; anything else is a TypeError naming the value", () => {
    assert.equal(machineId("1e5bc9d7e413ddd7902c2932e418702b84d0cc07"), "1e5bc9d7e413ddd7902c2932e418702b84d0cc07");
    assert.equal(machineId("mymachine1.contoso.com"), "mymachine1.contoso.com");
    for (const bad of ["../alerts", "my machine", "a'b", "x/y", "", "-leading", `${"a".repeat(64)}.com`]) {
      assert.throws(
        () => machineId(bad),
        (e: unknown) => e instanceof TypeError && e.message.includes(JSON.stringify(bad)),
        bad,
      );
    }
  });

  it("action ids are GUIDs; CVE ids and file hashes are checked", () => {
    assert.equal(actionId("5382f7ea-7557-4ab7-9782-d50480024a4e"), "5382f7ea-7557-4ab7-9782-d50480024a4e");
    assert.throws(() => actionId("5382f7ea-7557-4ab7-9782"), /5382f7ea-7557-4ab7-9782/);
    assert.equal(cveId("CVE-2019-0608"), "CVE-2019-0608");
    assert.throws(() => cveId("CVE-19-1"), /CVE-19-1/);
    assert.throws(() => cveId("CVE-2019-0608/machineReferences"), TypeError);
    assert.equal(fileHash("4388963aaa83afe2042a46a3c017ad50bdcdafb3"), "4388963aaa83afe2042a46a3c017ad50bdcdafb3");
    assert.throws(() => fileHash("8d5b7cc9a832e21d22503057e1fec8e9", ["sha1"]), TypeError);
  });

  it("resource methods validate before sending", async () => {
    const transport = createTestTransport(respondWith({}));
    const c = createMdeApi(transport);
    assert.throws(() => c.machineActions.isolate("../../alerts", { comment: "x" }), /"..\/..\/alerts"/);
    assert.throws(() => c.machineActions.get("not-a-guid"), /not-a-guid/);
    assert.throws(() => c.vulnerabilities.get("nope"), /nope/);
    assert.throws(() => c.remediationTasks.get("123"), TypeError);
    assert.equal(transport.captured.length, 0);
  });
});
