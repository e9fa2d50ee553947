// The MDE documentation's curl examples, run with the real curl binary against
// the emulator over HTTPS, as the pages write them with only the host, the ids
// and the token replaced (and `-k` dropped in favour of `--cacert`):
// exposed-apis-create-app-webapp.md "Use Curl" (the token), upload-library.md
// (the multipart upload), and the pages' HTTP requests sent with curl's
// defaults. What they answer is compared with what the API itself lists.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { type StartedEmulator, startEmulator } from "./entra-support.js";

let started: StartedEmulator;
let token = "";
let tenantId = "";
const work = mkdtempSync(join(tmpdir(), "mde-docs-curl-"));

/** curl with the emulator's CA; resolves with status, head and body (binary-safe). */
function curl(args: string[], cwd = work): Promise<{ status: number; head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    execFile("curl", ["-sS", "-i", "--max-time", "20", ...args, "--cacert", started.info.caCertFile], { encoding: "buffer", cwd }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`curl failed: ${stderr.toString() || error.message}`));
      // A `100 Continue` head may precede the final one.
      let rest = stdout;
      for (;;) {
        const split = rest.indexOf("\r\n\r\n");
        const head = rest.subarray(0, split).toString("latin1");
        rest = rest.subarray(split + 4);
        if (/^HTTP\/[\d.]+ 100/.test(head)) continue;
        return resolve({ status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1]), head: head.toLowerCase(), body: rest });
      }
    });
  });
}

const json = (body: Buffer) => JSON.parse(body.toString("utf8"));

before(async () => {
  started = await startEmulator({ serve: true, tenants: [{ name: "Contoso", alerts: 30, machines: 6 }] });
  tenantId = (started.info.tenants[0] as { id: string }).id;
  const { clientId, clientSecret } = started.info.partnerApp;
  // exposed-apis-create-app-webapp.md, "Use Curl".
  const res = await curl([
    "-X", "POST", "-H", "Content-Type:application/x-www-form-urlencoded",
    "-d", "grant_type=client_credentials",
    "-d", `client_id=${clientId}`,
    "-d", "scope=https://securitycenter.onmicrosoft.com/windowsatpservice/.default",
    "-d", `client_secret=${clientSecret}`,
    `${started.info.loginUrl}/${tenantId}/oauth2/v2.0/token`,
  ]);
  assert.equal(res.status, 200);
  token = json(res.body).access_token;
});
after(async () => {
  await started.stop();
  rmSync(work, { recursive: true, force: true });
});

test("upload-library.md's curl example uploads a file the library then lists", async () => {
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
  writeFileSync(join(work, "mdatp1.png"), png);
  const res = await curl([
    "-X", "POST", `${started.info.apiUrl}/api/libraryfiles`,
    "-H", `Authorization: Bearer ${token}`,
    "-F", "file=@mdatp1.png",
    "-F", "ParametersDescription=test",
    "-F", "HasParameters=true",
    "-F", "OverrideIfExists=true",
    "-F", "Description=test description",
  ]);
  assert.equal(res.status, 200, res.body.toString());
  const entity = json(res.body);
  assert.equal(entity.fileName, "mdatp1.png");
  assert.equal(entity.description, "test description");
  assert.equal(entity.parametersDescription, "test");
  assert.equal(entity.hasParameters, true);
  const { createHash } = await import("node:crypto");
  assert.equal(entity.sha256, createHash("sha256").update(png).digest("hex"));

  // list-library-files.md's request, sent the same way.
  const list = await curl([`${started.info.apiUrl}/api/libraryfiles`, "-H", `Authorization: Bearer ${token}`]);
  assert.equal(list.status, 200);
  assert.ok(json(list.body).value.some((f: { fileName: string }) => f.fileName === "mdatp1.png"));

  // Sent again without OverrideIfExists, the same name is refused with the MDE error body.
  const again = await curl(["-X", "POST", `${started.info.apiUrl}/api/libraryfiles`, "-H", `Authorization: Bearer ${token}`, "-F", "file=@mdatp1.png"]);
  assert.equal(again.status, 400);
  assert.equal(typeof json(again.body).error.code, "string");

  // delete-library.md: 204, then 404.
  const gone = await curl(["-X", "DELETE", `${started.info.apiUrl}/api/libraryfiles/mdatp1.png`, "-H", `Authorization: Bearer ${token}`]);
  assert.equal(gone.status, 204);
  const missing = await curl(["-X", "DELETE", `${started.info.apiUrl}/api/libraryfiles/mdatp1.png`, "-H", `Authorization: Bearer ${token}`]);
  assert.equal(missing.status, 404);
});

test("the vulnerability pages' requests answer with rows that agree with each other", async () => {
  const get = async (path: string) => {
    const res = await curl([`${started.info.apiUrl}${path}`, "-H", `Authorization: Bearer ${token}`]);
    assert.equal(res.status, 200, `${path}: ${res.body.toString().slice(0, 300)}`);
    return json(res.body);
  };
  // get-all-vulnerabilities-by-machines.md, get-machines-by-vulnerability.md, get-exposure-score.md.
  const rows = (await get("/api/vulnerabilities/machinesVulnerabilities")).value as Array<{ cveId: string; machineId: string }>;
  assert.ok(rows.length > 0);
  const cve = rows[0]?.cveId as string;
  const exposed = new Set(rows.filter((r) => r.cveId === cve).map((r) => r.machineId));
  const refs = (await get(`/api/vulnerabilities/${cve}/machineReferences`)).value as Array<{ id: string }>;
  assert.deepEqual(new Set(refs.map((r) => r.id)), exposed);
  const score = await get("/api/exposureScore");
  assert.equal(typeof score.score, "number");
});

test("an export's file links download with curl alone (no token) as gzip'd JSON lines", async () => {
  // get-assessment-software-vulnerabilities.md, "via files".
  const res = await curl([`${started.info.apiUrl}/api/machines/SoftwareVulnerabilitiesExport`, "-H", `Authorization: Bearer ${token}`]);
  assert.equal(res.status, 200, res.body.toString().slice(0, 300));
  const files = json(res.body).exportFiles as string[];
  assert.ok(files.length > 0);
  let lines = 0;
  let withCve = 0;
  for (const url of files) {
    const file = await curl([url]);
    assert.equal(file.status, 200);
    for (const line of gunzipSync(file.body).toString("utf8").split("\n").filter(Boolean)) {
      const row = JSON.parse(line);
      assert.equal(typeof row.deviceId, "string");
      if (typeof row.cveId === "string") withCve++;
      lines++;
    }
  }
  assert.ok(withCve > 0, "vulnerable software rows carry their CVE");
  const all = await curl([`${started.info.apiUrl}/api/machines/SoftwareVulnerabilitiesByMachine?pageSize=200000`, "-H", `Authorization: Bearer ${token}`]);
  assert.equal(lines, json(all.body).value.length, "the files hold the rows the JSON variant pages through");
});
