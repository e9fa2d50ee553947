/**
 * Paging: next links followed (same origin only), `$top`/`$skip` until a short page, `top` caps the
 * total, abort passes through, and iteration streams with bounded memory.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { createDefaultFetch, createMdeApi, ForeignNextLinkError } from "@mde-partner/client";
import type { MdeRequest, MdeTransport } from "../src/pipeline/transport.js";
import { createTestTransport, type FetchLike } from "./resources-fixture.js";

const BASE = "https://api.security.microsoft.com";

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
}

/** A fake service holding `total` alerts that honours `$top`/`$skip` and sends no next link when `$top` is given. */
function skipService(total: number, serverMax = 10_000): FetchLike {
  return async (url) => {
    const u = new URL(url);
    const top = Math.min(Number(u.searchParams.get("$top") ?? serverMax), serverMax);
    const skip = Number(u.searchParams.get("$skip") ?? 0);
    const value = [];
    for (let i = skip; i < Math.min(skip + top, total); i++) value.push({ id: `a${i}` });
    return json({ "@odata.context": `${BASE}/api/$metadata#Alerts`, value });
  };
}

/**
 * A service whose one page states its length and sends about half of it, then does `then`; and a
 * transport to it through the client's own fetch.
 */
async function halfBodyService(then: (res: ServerResponse) => void) {
  const text = JSON.stringify({ value: Array.from({ length: 50 }, (_, i) => ({ id: `a${i}`, title: "y".repeat(4000) })) });
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.write(text.slice(0, 100_000), () => then(res));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const own = createDefaultFetch();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    transport: createTestTransport((url, init) => own.fetch(url, { ...init, redirect: "manual" }), base),
    async close() {
      await own.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Reads every page of the alert list into buffers of the caller's, as the sync does. */
async function readPages(transport: MdeTransport, signal?: AbortSignal, decoded = () => {}): Promise<void> {
  const list = createMdeApi(transport).alerts.list({ pageSize: 200, ...(signal ? { signal } : {}) });
  for await (const _ of list.decodedPages(
    async () => {
      decoded();
      return { items: 0, result: null };
    },
    { bodyBuffer: (n) => new Uint8Array(n) },
  )) {
    // paging on
  }
}

describe("paging", () => {
  it("follows @odata.nextLink and yields every item once", async () => {
    const pages: Record<string, unknown> = {
      [`${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pageSize=2`]: {
        value: [{ n: 1 }, { n: 2 }],
        "@odata.nextLink": `${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=2&$skiptoken=p2`,
      },
      [`${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=2&$skiptoken=p2`]: {
        value: [{ n: 3 }, { n: 4 }],
        "@odata.nextLink": `${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=2&$skiptoken=p3`,
      },
      [`${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=2&$skiptoken=p3`]: { value: [{ n: 5 }] },
    };
    const transport = createTestTransport(async (url) => {
      const body = pages[url];
      assert.ok(body, `unexpected URL ${url}`);
      return json(body);
    }, BASE);
    const seen: number[] = [];
    for await (const row of createMdeApi(transport).exports.listSecureConfigurations({ pageSize: 2 }))
      seen.push((row as unknown as { n: number }).n);
    assert.deepStrictEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(transport.captured.length, 3);
    assert.equal(
      transport.captured[1]!.request.url,
      `${BASE}/api/machines/SecureConfigurationsAssessmentByMachine?pagesize=2&$skiptoken=p2`,
    );
    assert.equal(transport.captured[1]!.request.query, undefined, "a next link carries its own query");
  });

  it("awaiting a list gives the first page with its nextLink, without following it", async () => {
    const transport = createTestTransport(async () => json({ value: [{ id: 1 }], "@odata.nextLink": `${BASE}/api/alerts?$skip=1` }), BASE);
    const page = await createMdeApi(transport).alerts.list();
    assert.deepStrictEqual(page.value, [{ id: 1 }]);
    assert.equal(page.nextLink, `${BASE}/api/alerts?$skip=1`);
    assert.equal(transport.captured.length, 1);
  });

  it("refuses a next link to another origin and sends nothing to it", async () => {
    for (const foreign of [
      "https://evil.example.com/api/alerts?$skip=2",
      "http://api.security.microsoft.com/api/alerts?$skip=2",
      "https://api.security.microsoft.com:8443/api/alerts",
    ]) {
      const urls: string[] = [];
      const transport = createTestTransport(async (url) => {
        urls.push(url);
        return json({ value: [{ id: 1 }, { id: 2 }], "@odata.nextLink": foreign });
      }, BASE);
      const seen: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const a of createMdeApi(transport).alerts.listDomains("da1")) seen.push(a);
        })(),
        (e: unknown) =>
          e instanceof ForeignNextLinkError && e.code === "ERR_MDE_INVALID_RESPONSE" && e.message.includes(new URL(foreign).origin),
      );
      assert.equal(seen.length, 2, "items of the trusted page are still delivered");
      assert.deepStrictEqual(
        urls.map((u) => new URL(u).origin),
        [BASE],
      );
    }
  });

  it("pages with $top and $skip until a short page when the service sends no next link", async () => {
    const transport = createTestTransport(skipService(25), BASE);
    const ids: string[] = [];
    for await (const a of createMdeApi(transport).alerts.list({ pageSize: 10 })) ids.push(a.id);
    assert.equal(ids.length, 25);
    assert.equal(new Set(ids).size, 25);
    assert.deepStrictEqual(
      transport.captured.map((c) => [c.url.searchParams.get("$top"), c.url.searchParams.get("$skip")]),
      [
        ["10", null],
        ["10", "10"],
        ["10", "20"],
      ],
    );
  });

  it("decodedPages hands each body over as bytes and pages on by the decoder's count and next link", async () => {
    const transport = createTestTransport(skipService(25), BASE);
    const bodies: string[] = [];
    const pages = [];
    for await (const page of createMdeApi(transport).alerts.list({ pageSize: 10 }).decodedPages(async (body) => {
      assert.ok(body instanceof Uint8Array, "the body arrives as bytes");
      const text = Buffer.from(body).toString("utf8");
      bodies.push(text);
      const parsed = JSON.parse(text) as { value: Array<{ id: string }> };
      return { items: parsed.value.length, result: parsed.value.map((a) => a.id) };
    })) {
      pages.push(page);
    }
    assert.deepStrictEqual(
      pages.map((p) => p.items),
      [10, 10, 5],
    );
    assert.equal(new Set(pages.flatMap((p) => p.result)).size, 25);
    assert.ok(bodies[0]!.startsWith('{"@odata.context"'), "the decoder sees the body exactly as sent");
    assert.deepStrictEqual(
      transport.captured.map((c) => c.url.searchParams.get("$skip")),
      [null, "10", "20"],
    );
  });

  it("decodedPages reads each body into the caller's buffer through the client's own fetch, and into one of its own otherwise", async () => {
    // Pages of some hundred KiB: each arrives in several chunks.
    const pageOf = (skip: number, n: number) =>
      JSON.stringify({ value: Array.from({ length: n }, (_, i) => ({ id: `a${skip + i}`, title: `Zürich ☃ ${"x".repeat(i * 8)}` })) });
    const server = createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      const skip = Number(u.searchParams.get("$skip") ?? 0);
      const text = pageOf(skip, skip < 400 ? 200 : 7);
      if (skip === 200) {
        // Compressed: the decoded bytes are what lands in the buffer.
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(text));
      } else if (skip === 0) {
        // With its length: read into the buffer as it arrives.
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      } else {
        // Chunked, no length.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text);
      }
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const own = createDefaultFetch();
    try {
      const asked: number[] = [];
      const lent: ArrayBuffer[] = [];
      const read = async (fetch: FetchLike) => {
        const bodies: Array<{ text: string; lent: boolean }> = [];
        for await (const _ of createMdeApi(createTestTransport(fetch, base)).alerts.list({ pageSize: 200 }).decodedPages(
          async (body) => {
            const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
            bodies.push({ text, lent: lent.includes(body.buffer as ArrayBuffer) });
            return { items: (JSON.parse(text) as { value: unknown[] }).value.length, result: null };
          },
          {
            bodyBuffer: (n) => {
              asked.push(n);
              // Longer than asked, and not empty: only the body's bytes may count.
              const buffer = new ArrayBuffer(n + 100);
              new Uint8Array(buffer).fill(0x7b);
              lent.push(buffer);
              return new Uint8Array(buffer, 0, n + 100);
            },
          },
        )) {
          // paging on
        }
        return bodies;
      };
      const expected = [pageOf(0, 200), pageOf(200, 200), pageOf(400, 7)];
      // As the client's transport sends API calls: following no redirect.
      const viaOwn = await read((url, init) => own.fetch(url, { ...init, redirect: "manual" }));
      assert.ok(viaOwn.length === expected.length && viaOwn.every((b, i) => b.text === expected[i]), "the bodies as sent, decoded");
      assert.ok(viaOwn.every((b) => b.lent), "every body is a view of a buffer the caller lent");
      assert.deepEqual(asked, expected.map((t) => Buffer.byteLength(t)), "each buffer asked for is the decoded body's length");
      asked.length = 0;
      const plain: FetchLike = async (url, init) => (await fetch(url as string, init as never)) as unknown as Response;
      const viaFetch = await read(plain);
      assert.ok(viaFetch.length === expected.length && viaFetch.every((b, i) => b.text === expected[i]), "the bodies as sent, decoded");
      assert.ok(viaFetch.every((b) => !b.lent) && asked.length === 0, "a body from another fetch is read into a buffer of its own");
    } finally {
      await own.close();
      server.close();
    }
  });

  it("decodedPages refuses a body that ends before its stated length, and hands the decoder nothing of it", async () => {
    const service = await halfBodyService((res) => res.socket?.destroy());
    try {
      let decoded = 0;
      await assert.rejects(
        readPages(service.transport, undefined, () => decoded++),
        /could not be read/,
      );
      assert.equal(decoded, 0, "the decoder never saw the partial body");
    } finally {
      await service.close();
    }
  });

  it("decodedPages stops reading a body of known length when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped by the caller");
    // The rest of the body never comes: only the abort ends the read.
    const service = await halfBodyService(() => setTimeout(() => controller.abort(reason), 50));
    try {
      await assert.rejects(readPages(service.transport, controller.signal), reason);
    } finally {
      await service.close();
    }
  });

  it("decodedPages follows a decoder's next link only to the API's origin, and a decoder's error ends the list", async () => {
    const transport = createTestTransport(async () => json({ value: [{ id: 1 }] }), BASE);
    const list = () => createMdeApi(transport).alerts.list({ pageSize: 10 });
    await assert.rejects(
      (async () => {
        for await (const _ of list().decodedPages(async () => ({ items: 1, nextLink: "https://evil.example.com/api/alerts", result: null })));
      })(),
      (e: unknown) => e instanceof ForeignNextLinkError,
    );
    assert.equal(transport.captured.length, 1, "nothing was sent to the foreign link");
    const refused = new Error("not a page");
    await assert.rejects(
      (async () => {
        for await (const _ of list().decodedPages(async () => {
          throw refused;
        }));
      })(),
      (e: unknown) => e === refused,
    );
  });

  it("an exact multiple ends with one empty page", async () => {
    const transport = createTestTransport(skipService(20), BASE);
    let n = 0;
    for await (const _ of createMdeApi(transport).machines.list({ pageSize: 10 })) n++;
    assert.equal(n, 20);
    assert.equal(transport.captured.length, 3);
  });

  it("top caps the total, even when the service ignores $top and keeps linking", async () => {
    let page = 0;
    const transport = createTestTransport(async () => {
      page++;
      return json({
        value: Array.from({ length: 100 }, (_, i) => ({ id: `p${page}-${i}` })),
        "@odata.nextLink": `${BASE}/api/alerts?$skiptoken=${page}`,
      });
    }, BASE);
    const ids: string[] = [];
    for await (const a of createMdeApi(transport).alerts.list({ top: 150 })) ids.push(a.id);
    assert.equal(ids.length, 150);
    assert.equal(transport.captured.length, 2);
    assert.equal(transport.captured[0]!.url.searchParams.get("$top"), "150");
    const first = await createMdeApi(createTestTransport(skipService(500), BASE)).alerts.list({ top: 7, skip: 3 });
    assert.deepStrictEqual(
      first.value.map((a) => a.id),
      ["a3", "a4", "a5", "a6", "a7", "a8", "a9"],
    );
  });

  it("pages() yields pages; an AbortSignal stops the iteration", async () => {
    const transport = createTestTransport(skipService(30), BASE);
    const client = createMdeApi(transport);
    const sizes: number[] = [];
    for await (const p of client.alerts.list({ pageSize: 10 }).pages()) sizes.push(p.value.length);
    assert.deepStrictEqual(sizes, [10, 10, 10, 0]);

    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const a of client.alerts.list({ pageSize: 10, signal: controller.signal })) {
          seen.push(a.id);
          if (seen.length === 15) controller.abort();
        }
      })(),
      (e: unknown) => (e as Error).name === "AbortError",
    );
    assert.ok(seen.length <= 20);
    const sent = transport.captured.at(-1)!.request.signal;
    assert.equal(sent, controller.signal, "the signal reaches the transport");
  });

  it("streams 50,000 items with memory that does not grow with the count", async () => {
    // A transport that generates each page on the fly (no service-side array of all items).
    const itemBytes = "x".repeat(500);
    const makeTransport = (total: number): MdeTransport => ({
      baseUrl: BASE,
      tenantId: "t",
      async send(request: MdeRequest) {
        const top = Number(request.query?.["$top"] ?? 1000);
        const skip = Number(request.query?.["$skip"] ?? 0);
        const value = [];
        for (let i = skip; i < Math.min(skip + top, total); i++) value.push({ id: `a${i}`, title: `${itemBytes}${i}` });
        return json({ value });
      },
    });
    const gc = findGc();
    const measure = async (total: number) => {
      gc?.();
      const before = process.memoryUsage().heapUsed;
      let peak = before;
      let count = 0;
      for await (const a of createMdeApi(makeTransport(total)).alerts.list({ pageSize: 1000 })) {
        count++;
        if (a.id.length === 0) throw new Error("unreachable");
        if (count % 1000 === 0) {
          gc?.();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      }
      assert.equal(count, total);
      return peak - before;
    };
    const growth10k = await measure(10_000);
    const growth50k = await measure(50_000);
    // Accumulating 50k items of ~550 bytes would hold well over 25 MB; a streaming pager holds one page.
    // Generous bound: the 50k run may not use more than the 10k run plus 8 MB.
    assert.ok(growth50k < growth10k + 8 * 1024 * 1024, `heap grew ${growth50k} bytes for 50k vs ${growth10k} for 10k`);
  });
});

/** `global.gc` when node runs with --expose-gc; otherwise the flag is turned on at runtime (a fresh context sees `gc`). */
function findGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}
