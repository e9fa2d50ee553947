// Large collection answers (a page of thousands of alerts) are written in parts as the connection
// takes them: over real HTTPS the answer still states its length and no chunked encoding, every
// byte arrives, and the text is what the whole-string answer was — multi-byte text included.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { collectionResponse } from "../src/mde/operation-context.js";
import { type StartedEmulator, startEmulator } from "./entra-support.js";
import { tokenFor } from "./mde-support.js";

const ctx = { origin: "https://api.security.microsoft.com" } as Parameters<typeof collectionResponse>[0];

test("a large collection's stated length counts bytes, not characters, and its text is the items joined", async () => {
  // Multi-byte text throughout (2, 3 and 4 bytes per character), some 600 KiB in all.
  const items = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `da${i}`, title: `Prozess é ✓ 🛡 ${"x".repeat(i % 300)}` }));
  const next = "https://api.security.microsoft.com/api/alerts?$skip=3000";
  const res = collectionResponse(ctx, "Alerts", items, next);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(Number(res.headers.get("content-length")), bytes.length);
  const expected = `{"@odata.context":"https://api.security.microsoft.com/api/$metadata#Alerts","value":[${items.join(",")}],"@odata.nextLink":${JSON.stringify(next)}}`;
  assert.equal(bytes.toString("utf8"), expected);
  const parsed = JSON.parse(bytes.toString("utf8")) as { value: Array<{ title: string }> };
  assert.equal(parsed.value.length, 3000);
  assert.equal(parsed.value[2999]!.title.endsWith("x".repeat(2999 % 300)), true);
});

test("a small collection is one piece with the same text", async () => {
  const res = collectionResponse(ctx, "Alerts", ['{"id":"a"}', '{"id":"é"}']);
  assert.equal(await res.text(), '{"@odata.context":"https://api.security.microsoft.com/api/$metadata#Alerts","value":[{"id":"a"},{"id":"é"}]}');
});

let env: StartedEmulator;
before(async () => {
  env = await startEmulator({ tenants: [{ alerts: 3000 }], rateLimits: false, serve: true });
});
after(() => env?.stop());

test("over HTTPS a page of 3,000 alerts arrives whole, with its length stated and no chunked encoding", async () => {
  const tenant = env.info.tenants[0]!;
  const token = await tokenFor(env.emulator, tenant.id);
  const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = request(`${env.info.apiUrl}/api/alerts?$top=10000`, { headers: { authorization: `Bearer ${token}` }, ca: env.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(headers["transfer-encoding"], undefined);
  assert.equal(Number(headers["content-length"]), body.length);
  const page = JSON.parse(body.toString("utf8")) as { value: Array<{ id: string }> };
  assert.equal(page.value.length, 3000);
  assert.equal(new Set(page.value.map((a) => a.id)).size, 3000);
});
