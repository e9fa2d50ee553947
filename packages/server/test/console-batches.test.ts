// Batches in the console: hunts and response actions run by the distributed
// workers are listed newest first with their progress, a batch shows each
// tenant's or machine's state, attempts, worker and result, and the JSON API
// returns the results. Signed-in viewers only; bad and unknown ids are 400/404;
// what a user typed (the query, the comment) is escaped.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Agent, createWorld, signedIn, type World } from "./support.js";

let world: World;
let viewer: Agent;
let contoso: string;

before(async () => {
  world = await createWorld({ emulator: { tenants: [{ name: "Contoso" }], alertsPerTenant: 5, machinesPerTenant: 2 } });
  contoso = world.info.tenants[0]!.id;
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  viewer = await signedIn(world, "viewer");
});
after(() => world.close());

describe("batches run by the workers", () => {
  it("lists batches with their progress and shows each item's state and result", async () => {
    const other = "0b0b0b0b-0000-4000-8000-000000000001";
    const hunt = await world.store.createBatch({
      kind: "hunt",
      actor: "cli:alice",
      request: { query: 'DeviceInfo | where DeviceName == "<script>x</script>"' },
      items: [{ tenantId: contoso }, { tenantId: other }],
    });
    await world.store.claimBatchItem(hunt.batch.id, contoso, "host-1");
    await world.store.finishBatchItem(hunt.batch.id, contoso, { state: "done", result: { schema: [], rows: [{ a: 1 }, { a: 2 }] } });
    await world.store.claimBatchItem(hunt.batch.id, other, "host-2");
    await world.store.finishBatchItem(hunt.batch.id, other, { state: "failed", error: { code: "ERR_MDE_CONSENT_REQUIRED", message: "consent revoked" } });
    const machineId = "a".repeat(40);
    const action = await world.store.createBatch({
      kind: "response-action",
      actor: "cli:bob",
      request: { action: "isolate", comment: "INC-5 & friends" },
      items: [{ tenantId: contoso, machineId }],
    });

    let res = await viewer.request("/batches");
    assert.equal(res.status, 200);
    let page = await res.text();
    const rows = [...page.matchAll(/<tr data-batch="([^"]+)" data-state="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(rows, [
      [action.batch.id, "running"],
      [hunt.batch.id, "done"],
    ]);
    assert.match(page, /1\/2<\/td><td class="num">1<\/td><td>cli:alice/);
    assert.match(page, /&#60;script&#62;x&#60;\/script&#62;/);
    assert.doesNotMatch(page, /<script>x<\/script>/);
    assert.match(page, /aria-current="page">Batches/);

    res = await viewer.request(`/batches/${hunt.batch.id}`);
    assert.equal(res.status, 200);
    page = await res.text();
    assert.match(page, new RegExp(`<tr data-item="${contoso}" data-state="done">[\\s\\S]*?Contoso[\\s\\S]*?host-1[\\s\\S]*?2 row\\(s\\)`));
    assert.match(page, new RegExp(`<tr data-item="${other}" data-state="failed">[\\s\\S]*?ERR_MDE_CONSENT_REQUIRED: consent revoked`));
    page = await (await viewer.request(`/batches/${action.batch.id}`)).text();
    assert.match(page, new RegExp(`<tr data-item="${contoso}/${machineId}" data-state="queued">`));
    assert.match(page, /isolate: INC-5 &#38; friends/);

    const json = (await (await viewer.request(`/api/v1/batches/${hunt.batch.id}`)).json()) as {
      batch: { state: string; counts: { done: number; failed: number } };
      items: Array<{ key: string; result: { rows: unknown[] } | null }>;
    };
    assert.equal(json.batch.state, "done");
    assert.deepEqual(json.batch.counts, { queued: 0, running: 0, done: 1, failed: 1 });
    assert.equal(json.items.find((i) => i.key === contoso)?.result?.rows.length, 2);
    const list = (await (await viewer.request("/api/v1/batches")).json()) as { items: Array<{ id: string }> };
    assert.deepEqual(list.items.map((b) => b.id), [action.batch.id, hunt.batch.id]);
  });

  it("answers bad and unknown ids with 400 and 404, and strangers with a sign-in", async () => {
    assert.equal((await viewer.request("/batches/nope")).status, 400);
    assert.equal((await viewer.request("/api/v1/batches/nope")).status, 400);
    assert.equal((await viewer.request("/batches/00000000-0000-4000-8000-000000000000")).status, 404);
    const json = (await (await viewer.request("/api/v1/batches/00000000-0000-4000-8000-000000000000")).json()) as { error: { code: string } };
    assert.equal(json.error.code, "not_found");
    const stranger = new Agent(world.console);
    assert.equal((await stranger.request("/batches")).status, 302);
    assert.equal((await stranger.request("/api/v1/batches")).status, 401);
  });
});
