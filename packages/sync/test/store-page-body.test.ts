/**
 * Alert pages handed to the store as the API sent them (bytes): written exactly like the same page
 * parsed, placed in their pass (the cursor a page writes), and refused whole when the body or an
 * alert in it is not what the API documents — on SQLite's writer thread, in the caller's thread
 * (SQLite without the thread) and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { type CursorPosition, openStore, type StoreError, toTimeKey } from "@mde-partner/sync";
import { timeKeyParts, timeParts } from "../src/store/time.js";
import { alertInput as alert } from "./helpers/alerts.js";
import { createTestDatabase, randomTenantId, storePerTest, type TestDialect } from "./helpers/databases.js";
import { settledNow } from "./helpers/settled.js";

/**
 * The store as built (packages/sync/dist): its writer thread starts from the module beside the
 * store's own, which the tests' bundles of the sources do not have — there the store writes in
 * the caller's thread.
 */
const built = (await import(new URL("../dist/index.js", import.meta.url).href)) as { openStore: typeof openStore };


const bodyOf = (value: unknown[], extra: Record<string, unknown> = {}) =>
  new Uint8Array(Buffer.from(JSON.stringify({ "@odata.context": "https://api.security.microsoft.com/api/$metadata#Alerts", value, ...extra })));

const START: CursorPosition = { value: null, seenIds: [] };
const RUN_START = Date.parse("2024-03-02T00:00:00Z");

const variants: Array<{ name: string; dialect: TestDialect; open: (options: Parameters<typeof openStore>[0]) => ReturnType<typeof openStore> }> = [
  { name: "sqlite, writer thread", dialect: "sqlite", open: (o) => built.openStore(o) },
  { name: "sqlite, caller's thread", dialect: "sqlite", open: (o) => openStore({ ...o, alertWriterThread: false }) },
  { name: "postgres", dialect: "postgres", open: (o) => openStore(o) },
];

for (const v of variants) {
  describe(`store alert page bodies (${v.name})`, () => {
    const { store } = storePerTest(v.dialect, (db) => v.open(db.options));
    let tenant: string;
    beforeEach(() => {
      tenant = randomTenantId();
    });

    it("writes a body exactly as the same page parsed, and counts it the same", async () => {
      const other = randomTenantId();
      const page = [
        alert("da1", "2024-03-01T10:00:00.0000001Z", { evidence: [{ entityType: "File", sha256: "ab".repeat(32) }] }),
        alert("da2", "2024-03-01T10:00:01.5Z", { assignedTo: "analyst@contoso.com", status: "InProgress" }),
        alert("da2", "2024-03-01T09:00:00Z"),
        alert("da3", "2024-03-01T10:00:01.5Z", { surprise: "a field the documentation does not name" }),
        alert("da4", "2024-03-01T10:00:01.5Z", { title: "", assignedTo: "", machineId: "Zürich-☃-𝔘" }),
      ];
      const viaBody = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf(page), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      const viaRows = await store.applyAlertPage(other, page, { value: "2024-03-01T10:00:01.5Z", seenIds: ["da2", "da3"] });
      assert.deepEqual([viaBody.inserted, viaBody.updated, viaBody.unchanged, viaBody.items], [viaRows.inserted, viaRows.updated, viaRows.unchanged, 5]);
      for (const id of ["da1", "da2", "da3", "da4"]) {
        const a = await store.getAlert(tenant, id);
        const b = await store.getAlert(other, id);
        assert.ok(a && b);
        assert.deepEqual(a.payload, b.payload, `${id}: the same object comes back`);
        assert.deepEqual({ ...a, tenantId: "", ingestedAt: "" }, { ...b, tenantId: "", ingestedAt: "" });
      }
      assert.deepEqual((await store.groundTruth(tenant)).checksum, (await store.groundTruth(other)).checksum);
      const again = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf(page), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      assert.deepEqual([again.inserted, again.updated, again.unchanged], [0, 0, 5], "a re-read changes nothing");
    });

    it("places each page in its pass: a full page keeps the cursor, the short page ends the pass and writes the newest read", async () => {
      const previous: CursorPosition = { value: "2024-02-01T00:00:00Z", seenIds: ["old"] };
      const full = await store.applyAlertPageBody({
        tenantId: tenant,
        body: bodyOf([alert("a1", "2024-03-01T10:00:00Z"), alert("a2", "2024-03-01T12:00:00.25Z")]),
        pageSize: 2,
        previous,
        newest: previous,
        runStartMs: RUN_START,
      });
      assert.equal(full.last, false);
      assert.deepEqual((await store.getCursor(tenant, "alerts"))?.value, previous.value, "mid-pass pages write the cursor the pass started from");
      assert.deepEqual(full.newest, { value: "2024-03-01T12:00:00.25Z", seenIds: ["a2"] });
      const short = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf([alert("a3", "2024-03-01T11:00:00Z")]), pageSize: 2, previous, newest: full.newest, runStartMs: RUN_START });
      assert.equal(short.last, true);
      assert.deepEqual(
        { value: short.cursor.value, seenIds: short.cursor.seenIds },
        { value: "2024-03-01T12:00:00.25Z", seenIds: ["a2"] },
      );
      // A page newer than the pass's start writes the start instead (alert-cursor.ts).
      const late = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf([alert("a4", "2024-03-05T00:00:00Z")]), pageSize: 2, previous, newest: short.newest, runStartMs: RUN_START });
      assert.equal(late.cursor.value, new Date(RUN_START).toISOString());
      // A full page with a next link is not the last one either.
      const linked = await store.applyAlertPageBody({
        tenantId: tenant,
        body: bodyOf([alert("a5", "2024-03-01T10:00:00Z")], { "@odata.nextLink": "https://api.security.microsoft.com/api/alerts?$skip=1" }),
        pageSize: 2,
        previous,
        newest: previous,
        runStartMs: RUN_START,
      });
      assert.equal(linked.last, false);
      assert.equal(linked.nextLink, "https://api.security.microsoft.com/api/alerts?$skip=1");
    });

    it("refuses a body that is not a page, or a page with an invalid alert, and writes nothing of it", async () => {
      const cases: Array<[Uint8Array, string]> = [
        [new Uint8Array(Buffer.from("<html><body>Service Unavailable</body></html>")), "ERR_STORE_PAGE_BODY"],
        [new Uint8Array(Buffer.from('{"value":')), "ERR_STORE_PAGE_BODY"],
        [new Uint8Array(Buffer.from('{"error":{"code":"InternalError"}}')), "ERR_STORE_PAGE_BODY"],
        [new Uint8Array(Buffer.from("null")), "ERR_STORE_PAGE_BODY"],
        [bodyOf([alert("ok1", "2024-03-01T10:00:00Z"), { title: "no id" }]), "ERR_STORE_INVALID_ROW"],
        [bodyOf([alert("ok2", "2024-03-01T10:00:00Z"), null]), "ERR_STORE_INVALID_ROW"],
        [bodyOf([alert("ok3", "2024-03-01T10:00:00Z"), alert("bad", "yesterday")]), "ERR_STORE_INVALID_ROW"],
      ];
      for (const [body, code] of cases) {
        await assert.rejects(
          store.applyAlertPageBody({ tenantId: tenant, body, pageSize: 100, previous: null, newest: START, runStartMs: RUN_START }),
          (e: unknown) => (e as StoreError).name === "StoreError" && (e as StoreError).code === code,
          code,
        );
      }
      assert.equal((await store.groundTruth(tenant)).alerts, 0, "no alert of a refused page was written");
      assert.equal(await store.getCursor(tenant, "alerts"), null, "nor its cursor");
      // The store goes on taking pages after a refusal.
      const r = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf([alert("x1", "2024-03-01T10:00:00Z")]), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      assert.equal(r.inserted, 1);
    });

    it("stores an alert whose severity is named like a JavaScript object's member, and sorts it below every documented severity", async () => {
      const page = ["toString", "constructor", "__proto__", "High"].map((severity, i) => alert(`sv${i}`, `2024-03-01T10:00:0${i}Z`, { severity }));
      const r = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf(page), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      assert.equal(r.inserted, 4);
      const sorted = await store.queryAlerts({ tenantIds: [tenant], sort: "severity", order: "desc" });
      assert.deepEqual(
        sorted.items.map((a) => a.severity),
        ["High", "__proto__", "constructor", "toString"],
        "ranked 0, then newest first",
      );
    });

    it("takes a body that starts with a byte order mark, and leaves a shared buffer's other bytes alone", async () => {
      const json = JSON.stringify({ value: [alert("bom1", "2024-03-01T10:00:00Z")] });
      const r = await store.applyAlertPageBody({
        tenantId: tenant,
        body: new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])),
        pageSize: 100,
        previous: null,
        newest: START,
        runStartMs: RUN_START,
      });
      assert.equal(r.inserted, 1);
      // A view into a larger buffer (Node's pooled small Buffers are such views).
      const shared = Buffer.alloc(json.length + 64, 0x2a);
      shared.write(json, 32);
      const view = new Uint8Array(shared.buffer, shared.byteOffset + 32, json.length);
      const viewed = await store.applyAlertPageBody({ tenantId: randomTenantId(), body: view, pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      assert.equal(viewed.inserted, 1);
      assert.equal(shared.length, json.length + 64, "the caller's buffer is still whole");
      assert.equal(shared[0], 0x2a);
      assert.equal(shared[shared.length - 1], 0x2a);
    });

    it("takes bodies read into the buffers it lends, each only as long as its body, over the bytes of the bodies before", async () => {
      // Each body is shorter than the one before and is followed in its buffer by bytes that are
      // no JSON: a reader that read past the body, or a body whose buffer had been handed out
      // again while still in use, would refuse or garble a page.
      const sizes = [12, 9, 6, 3];
      const written = [];
      for (const [p, n] of sizes.entries()) {
        const page = Array.from({ length: n }, (_, i) => alert(`lent${p}-${i}`, `2024-03-01T10:00:0${i % 10}Z`, { title: `Seite ${p} · ${"x".repeat(200 * (n - i))}` }));
        const json = Buffer.from(JSON.stringify({ value: page }));
        const buffer = store.alertPageBuffer(json.length + 4096);
        assert.ok(buffer instanceof Uint8Array && buffer.byteLength >= json.length + 4096);
        buffer.fill(0x5d); // "]"
        buffer.set(json, 0);
        written.push(
          store.applyAlertPageBody({ tenantId: tenant, body: buffer.subarray(0, json.length), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START }),
        );
        // Two pages in flight at a time, as a sync has them.
        if (written.length % 2 === 0) await Promise.all(written.slice(-2));
      }
      const results = await Promise.all(written);
      assert.deepEqual(
        results.map((r) => r.inserted),
        sizes,
      );
      for (const [p, n] of sizes.entries()) {
        const a = await store.getAlert(tenant, `lent${p}-${n - 1}`);
        assert.equal(a?.title, `Seite ${p} · ${"x".repeat(200)}`);
      }
      assert.throws(() => store.alertPageBuffer(-1), RangeError);
    });
  });
}

describe("store alert page bodies written together (sqlite, writer thread)", () => {
  const { store, db } = storePerTest("sqlite", (d) => built.openStore(d.options));

  it("pages that arrive together commit together, and one that fails while written rolls back alone", async () => {
    // A row the database itself refuses mid-write (as a full disk or a constraint would).
    await db.exec("create trigger refuse_boom before insert on alerts when new.id = 'boom' begin select raise(abort, 'boom refused'); end");
    const [a, b, c, d] = [randomTenantId(), randomTenantId(), randomTenantId(), randomTenantId()];
    const page = (tenantId: string, alerts: unknown[]) =>
      store.applyAlertPageBody({ tenantId, body: bodyOf(alerts), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
    const results = await Promise.allSettled([
      page(a, [alert("a1", "2024-03-01T10:00:00Z"), alert("a2", "2024-03-01T10:00:01Z")]),
      page(b, [alert("b1", "2024-03-01T10:00:00Z"), alert("boom", "2024-03-01T10:00:02Z")]),
      page(c, [alert("c1", "2024-03-01T10:00:00Z"), { title: "no id" }]),
      page(d, [alert("d1", "2024-03-01T10:00:03Z")]),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected", "rejected", "fulfilled"],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason?.message), /boom refused/);
    assert.equal((results[2] as PromiseRejectedResult).reason?.code, "ERR_STORE_INVALID_ROW");
    assert.deepEqual(
      await Promise.all([a, b, c, d].map(async (t) => [(await store.groundTruth(t)).alerts, (await store.getCursor(t, "alerts"))?.value ?? null])),
      [
        [2, "2024-03-01T10:00:01Z"],
        [0, null],
        [0, null],
        [1, "2024-03-01T10:00:03Z"],
      ],
      "the refused pages left neither rows nor cursor; the others are whole",
    );
  });
});

describe("API times read digit by digit", () => {
  it("give the same parts as the general path for every shape, valid or not", () => {
    // A fixed sequence (a linear congruential generator), so a failure can be replayed.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    const samples = ["2021-01-26T20:33:59.2Z", "2019-12-13T00:00:00Z", "2024-02-29T23:59:59.9999999Z", "2023-02-29T00:00:00Z", "2021-01-11 09:47:58.854", "2021-01-26T20:33:57.7220239+01:00", "2021-01-26T20:33:57.Z", "not a time"];
    for (let i = 0; i < 20000; i++) {
      const digits = next(9);
      const fraction = digits === 0 ? "" : `.${Array.from({ length: digits }, () => next(10)).join("")}`;
      samples.push(`${pad(next(3000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(26), 2)}:${pad(next(62), 2)}:${pad(next(62), 2)}${fraction}${next(30) === 0 ? "z" : "Z"}`);
    }
    for (const s of samples) {
      const key = toTimeKey(s);
      assert.deepEqual(timeParts(s), key === null ? null : timeKeyParts(key), s);
    }
  });
});

describe("store alert page bodies, hostile sizes", () => {
  it("a body with a huge two-byte alert title goes through the writer thread whole and reads back unchanged (bounded elsewhere, never cut here)", async () => {
    const db = await createTestDatabase("sqlite");
    const store = await built.openStore(db.options);
    try {
      const tenant = randomTenantId();
      const title = "\u202e\u0007".repeat(50_000);
      const r = await store.applyAlertPageBody({ tenantId: tenant, body: bodyOf([alert("h1", "2024-03-01T10:00:00Z", { title })]), pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
      assert.equal(r.inserted, 1);
      assert.equal((await store.getAlert(tenant, "h1"))?.payload.title, title);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe("rows packed for the writer thread", () => {
  it("come back cell for cell: nulls, empty text, two-byte and astral characters, control characters, long text", async () => {
    const { packRows, forEachPackedRow, PACKED_COLUMNS } = await import("../src/store/alert-row-pack.js");
    const texts = ["", "plain", "Zürich ☃", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🛡️", "\u202e\u0000\u0007", "x".repeat(70_000)];
    const numeric = ["severity_rank", "created_us", "updated_us", "updated_sub", "ingested_us"];
    const cell = (c: string, j: number, i: number, t: string) => {
      if (numeric.includes(c)) return j === 9 ? Number.MIN_SAFE_INTEGER : i * 1_000_003;
      return (i + j) % 3 === 0 ? null : `${c}:${t}`;
    };
    const rows = texts.map((t, i) => ({
      row: Object.fromEntries(PACKED_COLUMNS.map((c, j) => [c, cell(c, j, i, t)])),
      lastUpdate: i % 2 ? null : `2024-03-01T10:00:0${i}Z`,
    }));
    const packed = packRows(rows as never);
    const back: unknown[] = [];
    forEachPackedRow(packed, (_bind, decode) => back.push(decode()));
    assert.deepEqual(back, rows);
  });
});

describe("a sync's page slots (sqlite, writer thread)", () => {
  const { store } = storePerTest("sqlite", (d) => built.openStore(d.options));

  it("at most four pages hold one; a slot let go goes to the first waiting, and letting it go twice frees only one", async () => {
    const held = await Promise.all([0, 1, 2, 3].map(() => store.alertPageSlot()));
    const fifth = store.alertPageSlot();
    const sixth = store.alertPageSlot();
    assert.equal(await settledNow(fifth), false, "a fifth page waits");
    held[0]!();
    held[0]!();
    assert.equal(await settledNow(fifth), true, "the first waiting page gets the slot let go");
    assert.equal(await settledNow(sixth), false, "the same slot let go again frees nothing more");
    held[1]!();
    assert.equal(await settledNow(sixth), true);
    const seventh = store.alertPageSlot();
    assert.equal(await settledNow(seventh), false);
    for (const release of [held[2]!, held[3]!, await fifth, await sixth]) release();
    const release = await seventh;
    release();
    // Every slot is free again: four pages go on at once.
    const again = [0, 1, 2, 3].map(() => store.alertPageSlot());
    for (const p of again) assert.equal(await settledNow(p), true);
    for (const p of again) (await p)();
  });

  it("pages written through their slots are all written, with a fifth tenant's page waiting its turn", async () => {
    const tenants = Array.from({ length: 6 }, () => randomTenantId());
    const results = await Promise.all(
      tenants.map(async (tenantId, t) => {
        const release = await store.alertPageSlot();
        try {
          const body = bodyOf(Array.from({ length: 50 }, (_, i) => alert(`s${t}-${i}`, `2024-03-01T10:00:${String(i % 60).padStart(2, "0")}Z`)));
          return await store.applyAlertPageBody({ tenantId, body, pageSize: 100, previous: null, newest: START, runStartMs: RUN_START });
        } finally {
          release();
        }
      }),
    );
    assert.deepEqual(
      results.map((r) => r.inserted),
      tenants.map(() => 50),
    );
  });
});

describe("a sync's page slots without alert threads", () => {
  for (const [name, dialect, open] of [
    ["sqlite, caller's thread", "sqlite", (o: Parameters<typeof openStore>[0]) => openStore({ ...o, alertWriterThread: false })],
    ["postgres", "postgres", (o: Parameters<typeof openStore>[0]) => openStore(o)],
  ] as const) {
    describe(name, () => {
      const { store } = storePerTest(dialect, (d) => open(d.options));
      it("never wait", async () => {
        const slots = Array.from({ length: 20 }, () => store.alertPageSlot());
        for (const s of slots) assert.equal(await settledNow(s), true);
      });
    });
  }
});
