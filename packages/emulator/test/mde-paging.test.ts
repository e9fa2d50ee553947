// Paging and $filter, in-process: 50,000 alerts of one tenant, read with $top/$skip and by following
// @odata.nextLink, must equal the ground truth exactly; $filter results must
// equal filtering the stored alerts directly in JavaScript.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { groundTruth } from "../src/data/ground-truth.js";
import { makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const ALERTS = 50_000;

let t: TestEmulator;
let apiUrl = "";
let token = "";
let tenantId = "";
let stored: Array<Record<string, any>> = [];

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await t.emulator.fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** All alerts matching a filter, read page by page with $top=10000&$skip. */
async function readAllWithTop(filter?: string): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for (let skip = 0; ; skip += 10_000) {
    const params = new URLSearchParams({ $top: "10000", $skip: String(skip) });
    if (filter) params.set("$filter", filter);
    const res = await get(`${apiUrl}/api/alerts?${params}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body["@odata.nextLink"], undefined, "no nextLink when $top is sent");
    out.push(...res.body.value);
    if (res.body.value.length < 10_000) return out;
  }
}

function checksum(alerts: Array<Record<string, any>>): string {
  const lines = alerts.map((a) => `${a.id}\t${a.lastUpdateTime}\n`).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return createHash("sha256").update(lines.join("")).digest("hex");
}

before(async () => {
  t = await makeEmulator({
    tenants: [
      { alerts: ALERTS, machines: 400 },
      { alerts: 500, machines: 20 },
    ],
    rateLimits: false,
    nextLinkWithoutTop: true,
  });
  const info = t.info;
  apiUrl = info.apiUrl;
  const tenant = info.tenants[0];
  assert.ok(tenant);
  tenantId = tenant.id;
  token = await tokenFor(t.emulator, tenantId);
  stored = (t.emulator.state.db.prepare("SELECT json FROM alerts WHERE tenant_id = ?").all(tenantId) as Array<{ json: string }>).map((r) =>
    JSON.parse(r.json),
  );
});
after(async () => {
  await t.stop();
});

test("$top/$skip pages return every alert of the tenant exactly once", async () => {
  const all = await readAllWithTop();
  const truth = groundTruth(t.emulator.state, tenantId);
  assert.equal(truth.alerts, ALERTS);
  assert.equal(all.length, ALERTS);
  assert.equal(new Set(all.map((a) => a.id)).size, ALERTS);
  assert.ok(
    all.every((a) => a.aadTenantId === tenantId),
    "only this tenant's alerts",
  );
  assert.equal(checksum(all), truth.checksum);
});

test("following @odata.nextLink (no $top) returns every alert exactly once", async () => {
  const all: Array<Record<string, any>> = [];
  let url: string | undefined = `${apiUrl}/api/alerts`;
  let pages = 0;
  while (url) {
    const res = await get(url);
    assert.equal(res.status, 200);
    assert.ok(res.body.value.length <= 10_000);
    all.push(...res.body.value);
    url = res.body["@odata.nextLink"];
    if (url) assert.ok(url.startsWith(`${apiUrl}/api/alerts?`), `nextLink stays on the same origin: ${url}`);
    pages++;
  }
  assert.equal(pages, 5);
  assert.equal(all.length, ALERTS);
  assert.equal(new Set(all.map((a) => a.id)).size, ALERTS);
  assert.equal(checksum(all), groundTruth(t.emulator.state, tenantId).checksum);
});

test("$top over 10,000 is refused with ODataError", async () => {
  const res = await get(`${apiUrl}/api/alerts?$top=10001`);
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, "ODataError");
});

test("$filter results equal filtering the stored alerts directly", async () => {
  const sortedUpdates = stored.map((a) => a.lastUpdateTime as string).sort();
  const median = sortedUpdates[Math.floor(sortedUpdates.length / 2)] as string;
  const creations = stored.map((a) => a.alertCreationTime as string).sort();
  const from = creations[10_000] as string;
  const to = creations[22_000] as string;
  // Second-precision literal (no fraction digits), as clients often send.
  const secondCut = `${median.slice(0, 19)}Z`;
  const machineId = stored[123]?.machineId as string;
  const cases: Array<[string, (a: Record<string, any>) => boolean]> = [
    ["severity eq 'High'", (a) => a.severity === "High"],
    ["status ne 'Resolved'", (a) => a.status !== "Resolved"],
    [`lastUpdateTime gt ${median}`, (a) => a.lastUpdateTime > median],
    [`lastUpdateTime ge ${secondCut}`, (a) => a.lastUpdateTime >= `${median.slice(0, 19)}.0000000Z`],
    [`alertCreationTime ge ${from} and alertCreationTime lt ${to}`, (a) => a.alertCreationTime >= from && a.alertCreationTime < to],
    [`machineId eq '${machineId}'`, (a) => a.machineId === machineId],
    [
      "(severity eq 'High' or severity eq 'Medium') and status eq 'New'",
      (a) => (a.severity === "High" || a.severity === "Medium") && a.status === "New",
    ],
    [
      "status in ('New','InProgress') and assignedTo eq null",
      (a) => (a.status === "New" || a.status === "InProgress") && a.assignedTo === null,
    ],
    [`category eq 'Execution' or machineId eq '${machineId}'`, (a) => a.category === "Execution" || a.machineId === machineId],
  ];
  for (const [filter, predicate] of cases) {
    const expected = stored
      .filter(predicate)
      .map((a) => a.id)
      .sort();
    assert.ok(expected.length > 0 && expected.length < ALERTS, `test data exercises: ${filter}`);
    const actual = (await readAllWithTop(filter)).map((a) => a.id).sort();
    assert.deepEqual(actual, expected, filter);
  }
});

test("an unsupported property or syntax is a 400 ODataError naming the problem", async () => {
  const bad = await get(`${apiUrl}/api/alerts?${new URLSearchParams({ $filter: "title eq 'x'" })}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, "ODataError");
  assert.match(bad.body.error.message, /'title'/);
  const syntax = await get(`${apiUrl}/api/alerts?${new URLSearchParams({ $filter: "severity eq 'High' and" })}`);
  assert.equal(syntax.status, 400);
  assert.equal(syntax.body.error.code, "ODataError");
  const quoted = await get(`${apiUrl}/api/alerts?$filter=lastUpdateTime+gt+'2024-01-01T00:00:00Z'`);
  assert.equal(quoted.status, 400);
  assert.match(quoted.body.error.message, /lastUpdateTime/);
});
