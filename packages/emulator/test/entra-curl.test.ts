// The MDE docs' own token requests, run with the real curl binary against the
// emulator (exposed-apis-create-app-webapp.md "Using Curl"; host and IDs replaced,
// `-k` dropped in favour of `--cacert`), and the v1 `resource=` request the MDE
// PowerShell samples send (mde-api.md §1.3).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { MDE_RESOURCE, MDE_SCOPE, type StartedEmulator, startEmulator } from "./entra-support.js";

const ALERT_ROLES = ["Alert.Read.All", "Machine.Read.All"];
let started: StartedEmulator;

before(async () => {
  started = await startEmulator({
    serve: true,
    tenants: [{ name: "Contoso" }, { name: "Fabrikam", roles: ALERT_ROLES, graphRoles: ["ThreatHunting.Read.All"] }],
  });
});
after(() => started.stop());

/** The documented requests' curl options: headers shown, a form POST. */
const FORM_POST = ["-i", "-X", "POST", "-H", "Content-Type:application/x-www-form-urlencoded"];
/** curl's `-d` arguments for the form fields, in order. */
const formFields = (...fields: string[]) => fields.flatMap((field) => ["-d", field]);

/** Runs curl asynchronously: the emulator answers from this same process, so blocking would deadlock. */
function curl(args: string[]): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      "curl",
      ["-sS", "--max-time", "20", ...args, "--cacert", started.info.caCertFile],
      { encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`curl failed: ${stderr || error.message}`));
        // `-i` prints the head, a blank line, then the body.
        const split = stdout.indexOf("\r\n\r\n");
        const head = stdout.slice(0, split);
        const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1]);
        resolve({ status, headers: head.toLowerCase(), body: stdout.slice(split + 4) });
      },
    );
  });
}

function assertAppOnlyClaims(token: string, tenantId: string, expectedAud: string, roles: readonly string[] | undefined) {
  const { clientId } = started.info.partnerApp;
  const header = decodeProtectedHeader(token);
  assert.equal(header.typ, "JWT");
  assert.equal(header.alg, "RS256");
  assert.equal(header.x5t, header.kid, "v1 tokens carry x5t = kid");
  const claims = decodeJwt(token);
  assert.equal(claims.aud, expectedAud);
  assert.equal(claims.iss, `https://sts.windows.net/${tenantId}/`, "v1 issuer form");
  assert.equal(claims.tid, tenantId);
  assert.equal(claims.appid, clientId);
  assert.equal(claims.appidacr, "1", "secret authentication");
  assert.match(String(claims.oid), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(claims.sub, claims.oid, "app-only: sub is the service principal");
  assert.equal(claims.idtyp, "app");
  assert.equal(claims.ver, "1.0");
  if (roles === undefined) assert.equal("roles" in claims, false, "no roles granted → no roles claim");
  else assert.deepEqual([...(claims.roles as string[])].sort(), [...roles].sort());
  const now = Math.floor(Date.now() / 1000);
  for (const name of ["iat", "nbf", "exp"] as const) assert.equal(Number.isInteger(claims[name]), true, `${name} is an integer`);
  assert.ok((claims.nbf as number) <= now && (claims.iat as number) <= now, "valid from now");
  assert.ok(Math.abs((claims.exp as number) - now - 3599) <= 5, "lives about an hour");
}

test("the documented curl v2 request gets the documented answer and a token with the tenant's roles", async () => {
  const { clientId, clientSecret } = started.info.partnerApp;
  const tenant = started.info.tenants[1];
  assert.ok(tenant);
  const res = await curl([
    ...FORM_POST,
    ...formFields(
      "grant_type=client_credentials",
      `client_id=${clientId}`,
      "scope=https://securitycenter.onmicrosoft.com/windowsatpservice/.default",
      `client_secret=${clientSecret}`,
    ),
    `${started.info.loginUrl}/${tenant.id}/oauth2/v2.0/token`,
  ]);
  assert.equal(res.status, 200);
  assert.match(res.headers, /\r\ncache-control: no-store/);
  assert.match(res.headers, /\r\ncontent-type: application\/json/);
  // Documented: {"token_type":"Bearer","expires_in":3599,"ext_expires_in":0,"access_token":"eyJ0…"} — numbers are numbers.
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ["token_type", "expires_in", "ext_expires_in", "access_token"]);
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.expires_in, 3599);
  assert.equal(typeof body.ext_expires_in, "number");
  assert.equal(typeof body.access_token, "string");
  assert.match(body.access_token as string, /^eyJ0eXAiOiJKV1Qi[\w-]*\.[\w-]+\.[\w-]+$/);
  assertAppOnlyClaims(body.access_token as string, tenant.id, MDE_SCOPE.replace("/.default", ""), ALERT_ROLES);
});

test("the v1 resource= request gets string-typed numbers, the resource echoed, and the consented roles", async () => {
  const { clientId, clientSecret } = started.info.partnerApp;
  const tenant = started.info.tenants[0];
  assert.ok(tenant);
  const res = await curl([
    ...FORM_POST,
    ...formFields("grant_type=client_credentials", `client_id=${clientId}`, `client_secret=${clientSecret}`, `resource=${MDE_RESOURCE}`),
    `${started.info.loginUrl}/${tenant.domain}/oauth2/token`,
  ]);
  assert.equal(res.status, 200);
  assert.match(res.headers, /\r\ncache-control: no-store/);
  // Documented v1 shape (token-v1.response.json plus the parameter table's not_before): numbers as strings.
  const body = JSON.parse(res.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), [
    "token_type",
    "expires_in",
    "ext_expires_in",
    "expires_on",
    "not_before",
    "resource",
    "access_token",
  ]);
  assert.equal(body.token_type, "Bearer");
  for (const name of ["expires_in", "ext_expires_in", "expires_on", "not_before"]) {
    assert.equal(typeof body[name], "string", `${name} is a string`);
    assert.match(body[name] as string, /^\d+$/);
  }
  assert.equal(body.expires_in, "3599");
  assert.equal(body.resource, MDE_RESOURCE);
  const claims = decodeJwt(body.access_token as string);
  assert.equal(String(claims.exp), body.expires_on);
  assert.equal(String(claims.nbf), body.not_before);
  // The tenant was addressed by domain name; the token names it by GUID.
  assertAppOnlyClaims(body.access_token as string, tenant.id, MDE_RESOURCE, tenant.roles);
});

test("a Graph token carries the Graph roles, and the partner's own tenant grants no roles at all", async () => {
  const { clientId, clientSecret, homeTenantId } = started.info.partnerApp;
  const fabrikam = started.info.tenants[1];
  assert.ok(fabrikam);
  const graph = await curl([
    "-X",
    "POST",
    ...formFields("grant_type=client_credentials", `client_id=${clientId}`, `client_secret=${clientSecret}`, "scope=https://graph.microsoft.com/.default"),
    `${started.info.loginUrl}/${fabrikam.id}/oauth2/v2.0/token`,
    "-i",
  ]);
  assert.equal(graph.status, 200);
  const graphToken = (JSON.parse(graph.body) as { access_token: string }).access_token;
  assertAppOnlyClaims(graphToken, fabrikam.id, "https://graph.microsoft.com", ["ThreatHunting.Read.All"]);

  const home = await curl([
    "-i",
    "-X",
    "POST",
    ...formFields("grant_type=client_credentials", `client_id=${clientId}`, `client_secret=${clientSecret}`, `resource=${MDE_RESOURCE}`),
    `${started.info.loginUrl}/${homeTenantId}/oauth2/token`,
  ]);
  assert.equal(home.status, 200);
  assertAppOnlyClaims((JSON.parse(home.body) as { access_token: string }).access_token, homeTenantId, MDE_RESOURCE, undefined);
});
