// What receiving the alert pages costs, and nothing else: for each tenant a client-credentials
// token, then its GET /api/alerts pages ($top/$skip, as the sync and the script read them), each
// body read off the connection into one reused buffer and dropped. `CONCURRENCY` tenants at a
// time over kept-alive HTTPS connections (node:https). No parsing, no store: the network's share
// of any sync's CPU (TLS, HTTP, the token requests), which the ingest limit leaves out.
//   node bench/receive-pages.mjs CONCURRENCY TENANT_ID:ALERTS [TENANT_ID:ALERTS …]
// Environment: MDE_LOGIN_URL, MDE_API_URL, MDE_CLIENT_ID, MDE_CLIENT_SECRET (never in argv); a
// private CA through NODE_EXTRA_CA_CERTS. Prints the body bytes received.
import { Agent, request } from "node:https";

const [concurrencyArg, ...specs] = process.argv.slice(2);
const { MDE_LOGIN_URL: loginUrl, MDE_API_URL: apiUrl, MDE_CLIENT_ID: clientId, MDE_CLIENT_SECRET: clientSecret } = process.env;
const concurrency = Number(concurrencyArg);
if (!Number.isInteger(concurrency) || concurrency < 1 || specs.length === 0 || !loginUrl || !apiUrl || !clientId || !clientSecret) {
  console.error("usage: MDE_LOGIN_URL=… MDE_API_URL=… MDE_CLIENT_ID=… MDE_CLIENT_SECRET=… node receive-pages.mjs CONCURRENCY TENANT_ID:ALERTS…");
  process.exit(2);
}
const top = 10000;
const agent = new Agent({ keepAlive: true });
const sink = Buffer.allocUnsafe(1 << 20);
let received = 0;

/**
 * Sends one request; resolves with the status, the body's length once it is read to its end and,
 * with `keepText`, its text (a token answer is small and must be parsed); a page's body is copied
 * into the one sink buffer and dropped.
 */
function send(url, { method = "GET", headers = {}, body } = {}, keepText = false) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      let length = 0;
      let text = "";
      res.on("data", (chunk) => {
        if (keepText) text += chunk;
        else chunk.copy(sink, 0, 0, Math.min(chunk.length, sink.length));
        length += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode, length, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function token(tenantId) {
  const body = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, scope: "https://api.securitycenter.microsoft.com/.default" }).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) };
  const { status, text } = await send(`${loginUrl}/${tenantId}/oauth2/v2.0/token`, { method: "POST", headers, body }, true);
  if (status !== 200) throw new Error(`token for ${tenantId}: HTTP ${status}`);
  return JSON.parse(text).access_token;
}

async function tenant(spec) {
  const [tenantId, alerts] = spec.split(":");
  const bearer = await token(tenantId);
  // The pages the script reads: full ones, then the short (possibly empty) one that ends the pass.
  const pages = Math.floor(Number(alerts) / top) + 1;
  for (let p = 0; p < pages; p++) {
    const { status, length } = await send(`${apiUrl}/api/alerts?$top=${top}&$skip=${p * top}`, { headers: { authorization: `Bearer ${bearer}` } });
    if (status !== 200) throw new Error(`alerts of ${tenantId}: HTTP ${status}`);
    received += length;
  }
}

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(concurrency, specs.length) }, async () => {
    while (next < specs.length) await tenant(specs[next++]);
  }),
);
agent.destroy();
console.log(received);
