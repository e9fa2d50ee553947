// A sync script the way Microsoft's documentation samples write one: one tenant after another, a
// client-credentials token per tenant, then GET /api/alerts with $top/$skip until a short page,
// every alert appended as one NDJSON line. No project code; Node's own fetch.
//   node bench/doc-style-sync.mjs OUT.ndjson TENANT_ID [TENANT_ID …]
// Environment: MDE_LOGIN_URL, MDE_API_URL, MDE_CLIENT_ID, MDE_CLIENT_SECRET (never in argv),
// MDE_SCOPE (default https://api.securitycenter.microsoft.com/.default); a private CA through
// NODE_EXTRA_CA_CERTS. Prints the number of alerts written.
import { closeSync, openSync, writeSync } from "node:fs";

const [out, ...tenants] = process.argv.slice(2);
const { MDE_LOGIN_URL: loginUrl, MDE_API_URL: apiUrl, MDE_CLIENT_ID: clientId, MDE_CLIENT_SECRET: clientSecret } = process.env;
if (!out || tenants.length === 0 || !loginUrl || !apiUrl || !clientId || !clientSecret) {
  console.error("usage: MDE_LOGIN_URL=… MDE_API_URL=… MDE_CLIENT_ID=… MDE_CLIENT_SECRET=… node doc-style-sync.mjs OUT.ndjson TENANT_ID…");
  process.exit(2);
}
const scope = process.env.MDE_SCOPE ?? "https://api.securitycenter.microsoft.com/.default";
const top = 10000;
const fd = openSync(out, "a");
let written = 0;
for (const tenantId of tenants) {
  const body = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope });
  const tokenRes = await fetch(`${loginUrl}/${tenantId}/oauth2/v2.0/token`, { method: "POST", body });
  if (!tokenRes.ok) throw new Error(`token for ${tenantId}: HTTP ${tokenRes.status}`);
  const { access_token: token } = await tokenRes.json();
  for (let skip = 0; ; skip += top) {
    const res = await fetch(`${apiUrl}/api/alerts?$top=${top}&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`alerts of ${tenantId}: HTTP ${res.status}`);
    const { value } = await res.json();
    if (value.length > 0) writeSync(fd, value.map((alert) => `${JSON.stringify({ tenantId, ...alert })}\n`).join(""));
    written += value.length;
    if (value.length < top) break;
  }
}
closeSync(fd);
console.log(written);
