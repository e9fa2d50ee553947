// Microsoft's own Graph JavaScript client (@microsoft/microsoft-graph-client with
// @azure/identity's ClientSecretCredential) against the emulator's detection rules,
// over real HTTPS: a client written by someone else can create, list, update and
// delete rules, and reads Graph's error body when a rule is refused. It runs in a
// child process that trusts the emulator's CA through NODE_EXTRA_CA_CERTS.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { controlCaller, ruleBody, type StartedEmulator, startServed } from "./baseline-support.js";

let env: StartedEmulator;
before(async () => {
  env = await startServed();
});
after(() => env.stop());

const SCRIPT = `
  import { ClientSecretCredential } from "@azure/identity";
  import { Client } from "@microsoft/microsoft-graph-client";
  import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
  const credential = new ClientSecretCredential(process.env.TENANT, process.env.CLIENT_ID, process.env.CLIENT_SECRET, {
    authorityHost: process.env.AUTHORITY,
    disableInstanceDiscovery: true,
  });
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ["https://graph.microsoft.com/.default"] });
  const graph = new URL(process.env.GRAPH);
  // The SDK sends the token only to Graph's own hosts unless told of others.
  const client = Client.initWithMiddleware({ authProvider, baseUrl: graph.origin + "/", customHosts: new Set([graph.hostname]) });
  const rules = "/security/rules/detectionRules";
  const out = {};
  const created = await client.api(rules).post(JSON.parse(process.env.RULE));
  out.created = created;
  out.listed = (await client.api(rules).filter("isEnabled eq true").top(10).get()).value.map((r) => r.displayName);
  out.patched = await client.api(rules + "/" + created.id).patch({ displayName: "Renamed by the SDK" });
  try {
    await client.api(rules).post({ displayName: "bad", schedule: { period: "1H" } });
    out.refused = null;
  } catch (error) {
    out.refused = { statusCode: error.statusCode, code: error.code, message: error.message, requestId: error.requestId ?? null };
  }
  await client.api(rules + "/" + created.id).delete();
  out.after = (await client.api(rules).get()).value.length;
  process.stdout.write(JSON.stringify(out));
`;

function runSdk(tenantId: string): Promise<Record<string, any>> {
  const { clientId, clientSecret } = env.info.partnerApp;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", SCRIPT],
      {
        cwd: new URL(".", import.meta.url).pathname,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_EXTRA_CA_CERTS: env.info.caCertFile,
          AUTHORITY: env.info.loginUrl,
          GRAPH: env.info.graphUrl,
          TENANT: tenantId,
          CLIENT_ID: clientId,
          CLIENT_SECRET: clientSecret,
          RULE: JSON.stringify(ruleBody("Made by the Graph SDK")),
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
}

test("Microsoft's Graph JavaScript client creates, lists, updates and deletes rules, and reads the refusal", async () => {
  const tenantId = env.info.tenants[0]!.id;
  const out = await runSdk(tenantId);
  assert.equal(out.created.displayName, "Made by the Graph SDK");
  assert.match(out.created.id, /^\d+$/);
  assert.deepEqual(out.listed, ["Made by the Graph SDK"]);
  assert.equal(out.patched.displayName, "Renamed by the SDK");
  assert.equal(out.refused.statusCode, 400);
  assert.equal(out.refused.code, "BadRequest");
  assert.match(out.refused.message, /'period' does not exist/);
  assert.equal(out.after, 0);

  // The journal saw the SDK's calls as graph writes of this tenant.
  const writes = (await controlCaller(env)(`/journal/writes?tenantId=${tenantId}`)).json<{ writes: Array<{ operation: string; count: number; failed: number }> }>().writes;
  assert.deepEqual(
    writes.map((w) => `${w.operation} ${w.count}/${w.failed}`),
    ["CreateDetectionRule 2/1", "UpdateDetectionRule 1/0", "DeleteDetectionRule 1/0"],
  );
});
