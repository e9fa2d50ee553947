/**
 * Export from the store (NDJSON, RFC 4180 CSV with stable columns; filters by
 * tenant, severity, status and time; streamed) and the webhook forwarder
 * (every new or changed alert at least once, a stable idempotency key,
 * retries with backoff, its own delivery cursor), on every dialect.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type AlertInput, CSV_COLUMNS, createWebhookForwarder, csvField, exportAlerts, openStore, type Store } from "@mde-partner/sync";
import { createTestDatabase, DIALECTS, randomTenantId, type TestDatabase } from "./helpers/databases.js";

const A = randomTenantId();
const B = randomTenantId();

function alert(id: string, over: Partial<AlertInput> & Record<string, unknown> = {}): AlertInput & Record<string, unknown> {
  return {
    id,
    title: `Alert ${id}`,
    severity: "Medium",
    status: "New",
    category: "Malware",
    machineId: "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
    computerDnsName: "host.contoso.com",
    alertCreationTime: "2025-01-01T00:00:00Z",
    lastUpdateTime: "2025-01-02T00:00:00.1234567Z",
    assignedTo: null,
    classification: null,
    determination: null,
    ...over,
  };
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  assert.equal(field, "", "the last record ends with CRLF");
  return rows;
}

async function collect(fn: (out: PassThrough) => Promise<{ count: number }>): Promise<{ text: string; count: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const { count } = await fn(out);
  out.end();
  await once(out, "end");
  return { text: Buffer.concat(chunks).toString("utf8"), count };
}

for (const dialect of DIALECTS) {
  describe(`export and webhook (${dialect})`, () => {
    let db: TestDatabase;
    let store: Store;
    beforeEach(async () => {
      db = await createTestDatabase(dialect);
      store = await openStore(db.options);
      for (const [id, name] of [
        [A, "Contoso"],
        [B, "Fabrikam"],
      ] as const)
        await store.upsertTenant({ id, name, initialState: "verified" });
      await store.applyAlertPage(
        A,
        [
          alert("da1", { title: 'Quote " and, comma', severity: "High", determination: "Malware" }),
          alert("da2", {
            title: "Line\r\nbreak",
            status: "Resolved",
            lastUpdateTime: "2025-01-03T00:00:00Z",
            classification: "TruePositive",
          }),
          alert("da3", { severity: "Low", lastUpdateTime: "2025-01-04T00:00:00Z", assignedTo: "soc@contoso.com" }),
        ],
        { value: null, seenIds: [] },
      );
      await store.applyAlertPage(B, [alert("db1", { severity: "High", lastUpdateTime: "2025-01-02T12:00:00Z" })], {
        value: null,
        seenIds: [],
      });
    });
    afterEach(async () => {
      await store.close();
      await db.drop();
    });

    it("writes CSV with the stable columns and RFC 4180 quoting", async () => {
      const { text, count } = await collect((out) => exportAlerts({ store, format: "csv", out }));
      assert.equal(count, 4);
      const rows = parseCsv(text);
      assert.deepEqual(rows[0], [...CSV_COLUMNS]);
      assert.deepEqual(CSV_COLUMNS, [
        "tenantId",
        "id",
        "severity",
        "status",
        "title",
        "category",
        "machineId",
        "computerDnsName",
        "alertCreationTime",
        "lastUpdateTime",
        "assignedTo",
        "classification",
        "determination",
      ]);
      const byId = new Map(rows.slice(1).map((r) => [r[1], r]));
      assert.deepEqual(byId.get("da1"), [
        A,
        "da1",
        "High",
        "New",
        'Quote " and, comma',
        "Malware",
        "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
        "host.contoso.com",
        "2025-01-01T00:00:00Z",
        "2025-01-02T00:00:00.1234567Z",
        "",
        "",
        "Malware",
      ]);
      assert.equal(byId.get("da2")?.[4], "Line\r\nbreak");
      assert.ok(text.includes('"Quote "" and, comma"'), "quotes doubled inside a quoted field");
      // Oldest change first.
      assert.deepEqual(
        rows.slice(1).map((r) => r[1]),
        ["da1", "db1", "da2", "da3"],
      );
    });

    it("defuses cells a spreadsheet would run as a formula, and leaves numbers alone", async () => {
      const C = randomTenantId();
      await store.upsertTenant({ id: C, name: "Evil", initialState: "consented" });
      await store.applyAlertPage(C, [alert("evil", { title: '=HYPERLINK("http://x.test","click")', assignedTo: "@admin", category: "-2+3" })], {
        value: null,
        seenIds: [],
      });
      const { text } = await collect((out) => exportAlerts({ store, format: "csv", tenantIds: [C], out }));
      const [, row] = parseCsv(text);
      const col = (name: string) => row![CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number])];
      assert.equal(col("title"), `'=HYPERLINK("http://x.test","click")`);
      assert.equal(col("assignedTo"), "'@admin");
      assert.equal(col("category"), "'-2+3");
      assert.equal(csvField(-5), "-5");
      assert.equal(csvField("plain"), "plain");
    });

    it("writes NDJSON and filters by tenant, severity, status and time", async () => {
      const all = await collect((out) => exportAlerts({ store, format: "ndjson", out }));
      const lines = all.text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 4);
      assert.equal(lines[0].tenantId, A);
      assert.equal(lines[0].title, 'Quote " and, comma');
      const ids = async (o: Partial<Parameters<typeof exportAlerts>[0]>) => {
        const r = await collect((out) => exportAlerts({ store, format: "ndjson", out, ...o }));
        return r.text
          .trimEnd()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l).id);
      };
      assert.deepEqual(await ids({ tenantIds: [B] }), ["db1"]);
      assert.deepEqual(await ids({ severity: ["High"] }), ["da1", "db1"]);
      assert.deepEqual(await ids({ status: ["Resolved"] }), ["da2"]);
      assert.deepEqual(await ids({ since: "2025-01-03T00:00:00Z" }), ["da2", "da3"]);
      assert.deepEqual(await ids({ since: "2025-01-02T00:00:00Z", until: "2025-01-03T00:00:00Z" }), ["da1", "db1"]);
    });

    it("forwards every alert once per version with a stable idempotency key, retrying failures", async () => {
      const received: Array<{ key: string; body: { idempotencyKey: string; tenantId: string; alert: { id: string } } }> = [];
      let failNext = 2;
      const server: Server = createServer(async (req: IncomingMessage, res) => {
        let body = "";
        for await (const c of req) body += c;
        if (failNext > 0) {
          failNext--;
          res.writeHead(503, { "retry-after": "0" }).end();
          return;
        }
        received.push({ key: String(req.headers["idempotency-key"]), body: JSON.parse(body) });
        res.writeHead(204).end();
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const sleeps: number[] = [];
      const forwarder = createWebhookForwarder({
        store,
        url,
        name: "soar",
        backoffBaseMs: 10,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      try {
        const first = await forwarder.runOnce();
        assert.deepEqual(first, { delivered: 4 });
        assert.equal(sleeps.length, 2, "two retries after the two 503s");
        assert.deepEqual(
          received.map((r) => r.key).sort(),
          [
            `${A}:da1:2025-01-02T00:00:00.1234567Z`,
            `${A}:da2:2025-01-03T00:00:00Z`,
            `${A}:da3:2025-01-04T00:00:00Z`,
            `${B}:db1:2025-01-02T12:00:00Z`,
          ].sort(),
        );
        assert.ok(received.every((r) => r.key === r.body.idempotencyKey && r.key.startsWith(`${r.body.tenantId}:${r.body.alert.id}:`)));

        // Nothing new: nothing sent. Re-synced but unchanged: nothing sent.
        assert.deepEqual(await forwarder.runOnce(), { delivered: 0 });
        await store.applyAlertPage(A, [alert("da1", { title: 'Quote " and, comma', severity: "High", determination: "Malware" })], {
          value: null,
          seenIds: [],
        });
        assert.deepEqual(await forwarder.runOnce(), { delivered: 0 });

        // A changed alert and a new one: exactly those, with new keys; a new forwarder instance (restart) agrees.
        await store.applyAlertPage(A, [alert("da3", { status: "Resolved", lastUpdateTime: "2025-01-05T00:00:00Z" }), alert("da4")], {
          value: null,
          seenIds: [],
        });
        received.length = 0;
        const restarted = createWebhookForwarder({ store, url, name: "soar", sleep: async () => {} });
        assert.deepEqual(await restarted.runOnce(), { delivered: 2 });
        assert.deepEqual(received.map((r) => r.key).sort(), [`${A}:da3:2025-01-05T00:00:00Z`, `${A}:da4:2025-01-02T00:00:00.1234567Z`]);

        // The receiver is down: the pass stops, nothing is marked, the next pass delivers.
        await store.applyAlertPage(B, [alert("db2")], { value: null, seenIds: [] });
        failNext = 100;
        const down = await restarted.runOnce();
        assert.equal(down.delivered, 0);
        assert.equal(down.failed?.alertId, "db2");
        failNext = 0;
        received.length = 0;
        assert.deepEqual(await restarted.runOnce(), { delivered: 1 });
        assert.equal(received[0]?.body.alert.id, "db2");
      } finally {
        server.close();
      }
    });
  });
}
