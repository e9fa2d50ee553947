/**
 * The bound on an API answer's body (pipeline/fetch-sink.ts, `maxResponseBytes`): a customer
 * tenant's answer is not trusted to be the size the API documents. An answer stating a larger
 * length is refused unread; one that keeps coming (chunked, or a small gzip that inflates) is cut
 * off at the bound, whichever way it is read, with one line naming the call and the option — over
 * the client's own connections and through any other fetch.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { createDefaultFetch, isMdeError } from "@mde-partner/client";
import { fetchSink } from "../src/pipeline/fetch-sink.js";
import type { PipelineRequest } from "../src/pipeline/policy.js";
import { type BodyIntoResponse, READ_BODY_INTO } from "../src/request-fetch.js";

const MiB = 1024 * 1024;

/** A local service answering every request with `answer`, and what it saw of each connection's end. */
async function service(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(answer);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const own = createDefaultFetch();
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alerts`),
    fetch: own.fetch,
    async close() {
      await own.close();
      server.closeAllConnections();
      server.close();
    },
  };
}

function request(url: URL): PipelineRequest {
  return {
    method: "GET",
    url,
    headers: new Headers(),
    body: undefined,
    tenantId: "11111111-2222-3333-4444-555555555555",
    operation: "ListAlerts",
    permissions: [],
    idempotent: true,
    budget: "default",
    signal: undefined,
    timeoutMs: 10_000,
    attempt: 0,
  };
}

/** The error every refusal is: the call's, one line, naming the option. */
function isTooLarge(error: unknown): boolean {
  assert.ok(isMdeError(error, "ERR_MDE_INVALID_RESPONSE"), String(error));
  assert.match(error.message, /^ListAlerts: the answer is larger than 1 MiB \(maxResponseBytes\)/);
  assert.equal(error.message.includes("\n"), false);
  assert.equal(error.tenantId, "11111111-2222-3333-4444-555555555555");
  return true;
}

/** A body that keeps coming in 64 KiB chunks until the client goes; resolves with the bytes written when it has gone. */
function endless(res: ServerResponse): Promise<number> {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"value":[');
  return new Promise((resolve) => {
    const more = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once("drain", more);
    };
    res.on("close", () => resolve(written));
    more();
  });
}

describe("the bound on an answer's body", () => {
  it("refuses an answer that states a larger length, unread, and the next call goes through", async () => {
    let calls = 0;
    const s = await service((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(2 * MiB) });
        res.write("x".repeat(1000));
        return;
      }
      res.end(JSON.stringify({ value: [{ id: "a1" }] }));
    });
    try {
      const send = fetchSink(s.fetch, MiB);
      await assert.rejects(send(request(s.url)), isTooLarge);
      const next = await send(request(s.url));
      assert.deepEqual(await next.json(), { value: [{ id: "a1" }] });
    } finally {
      await s.close();
    }
  });

  it("cuts off a body that keeps coming, however it is read, and closes its connection", async () => {
    const written: Array<Promise<number>> = [];
    const s = await service((_req, res) => void written.push(endless(res)));
    try {
      const send = fetchSink(s.fetch, MiB);
      const reads: Array<[string, (r: Response) => Promise<unknown>]> = [
        ["text", (r) => r.text()],
        ["arrayBuffer", (r) => r.arrayBuffer()],
        ["into a buffer", (r) => (r as BodyIntoResponse)[READ_BODY_INTO]((n) => new Uint8Array(n))],
        [
          "body stream",
          async (r) => {
            for await (const _ of r.body!) {
              // reading on
            }
          },
        ],
      ];
      for (const [name, read] of reads) {
        const response = await send(request(s.url));
        await assert.rejects(read(response), isTooLarge, name);
      }
      const sent = await Promise.all(written);
      assert.equal(sent.length, reads.length);
      // The service stops at the client's close: what it wrote is the bound plus what the sockets buffered.
      for (const bytes of sent) assert.ok(bytes < 16 * MiB, `the service wrote ${bytes} bytes before the client went`);
    } finally {
      await s.close();
    }
  });

  it("counts a compressed body as it inflates", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 0x20));
    assert.ok(bomb.length < MiB / 4, "the compressed body is well under the bound");
    const s = await service((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    try {
      const response = await fetchSink(s.fetch, MiB)(request(s.url));
      await assert.rejects(response.text(), isTooLarge);
    } finally {
      await s.close();
    }
  });

  it("reads an answer within the bound whole, to its last byte", async () => {
    const page = JSON.stringify({ value: Array.from({ length: 200 }, (_, i) => ({ id: `a${i}`, title: "t".repeat(4000) })) });
    assert.ok(page.length > MiB / 2 && page.length < MiB);
    const s = await service((_req, res) => {
      // Chunked: no stated length to check first.
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < page.length; i += 100_000) res.write(page.slice(i, i + 100_000));
      res.end();
    });
    try {
      const response = await fetchSink(s.fetch, MiB)(request(s.url));
      assert.equal(await response.text(), page);
    } finally {
      await s.close();
    }
  });

  it("bounds another fetch's answers the same way", async () => {
    let cancelled = false;
    let pulled = 0;
    const foreign = async (): Promise<Response> =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          },
          cancel() {
            cancelled = true;
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    const response = await fetchSink(foreign, MiB)(request(new URL("https://api.security.microsoft.com/api/alerts")));
    await assert.rejects(response.text(), isTooLarge);
    assert.ok(cancelled, "the foreign body was cancelled");
    assert.ok(pulled < 4 * MiB, `pulled ${pulled} bytes`);

    const stated = async (): Promise<Response> => new Response("{}", { status: 200, headers: { "content-length": String(5 * MiB) } });
    await assert.rejects(fetchSink(stated, MiB)(request(new URL("https://api.security.microsoft.com/api/alerts"))), isTooLarge);
  });
});
