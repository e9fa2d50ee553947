/**
 * The client's default fetch answers API and token requests through Node's own HTTP client
 * (request-fetch.ts). Whatever path a request takes, the caller must see what fetch itself gives:
 * the same request headers at the server, the same status, headers and decoded body, redirects
 * answered or refused the same way, the same errors. Checked side by side against undici's fetch
 * on a local server.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { deflateSync, gzipSync } from "node:zlib";
import { fetch as undiciFetch } from "undici";
import { createDefaultFetch, type FetchLike } from "../src/index.js";
import { failedBeforeSending } from "../src/network.js";

const big = JSON.stringify({ value: Array.from({ length: 3000 }, (_, i) => ({ id: `a${i}`, title: `Zürich ☃ ${i}` })) });

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://x");
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    // The headers as a set (their order on the wire is not the caller's concern).
    const headers = Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length", "user-agent"].includes(k));
    const seen = { method: req.method, body, headers: Object.fromEntries(headers.sort(([a], [b]) => a.localeCompare(b))) };
    switch (url.pathname) {
      case "/echo":
        res.writeHead(200, { "content-type": "application/json", "x-many": ["a", "b"] });
        res.end(JSON.stringify(seen));
        return;
      case "/big":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(big);
        return;
      case "/gzip":
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(big));
        return;
      case "/deflate":
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "deflate" });
        res.end(deflateSync(big));
        return;
      case "/unknown-coding":
        res.writeHead(200, { "content-encoding": "zstd-or-so" });
        res.end("as sent");
        return;
      case "/redirect":
        res.writeHead(302, { location: "https://elsewhere.example/steal" });
        res.end("moved");
        return;
      case "/empty":
        res.writeHead(204);
        res.end();
        return;
      case "/error":
        res.writeHead(429, { "retry-after": "7", "content-type": "application/json" });
        res.end('{"error":{"code":"TooManyRequests"}}');
        return;
      case "/slow":
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        return; // never ends
      default:
        res.writeHead(404);
        res.end();
    }
  });
}

describe("the client's default fetch", () => {
  const server = createServer(handle);
  let base = "";
  const own = createDefaultFetch();
  const viaFetch: FetchLike = (input, init) => undiciFetch(input as string, init as never) as unknown as Promise<Response>;
  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await own.close();
    server.closeAllConnections();
    server.close();
  });

  /** What a caller sees of one exchange: status, the headers that matter, the body as text. */
  const seen = async (f: FetchLike, path: string, init: RequestInit) => {
    const r = await f(`${base}${path}`, init);
    const headers = Object.fromEntries([...r.headers].filter(([k]) => !["date", "keep-alive", "connection", "transfer-encoding", "content-length"].includes(k)));
    return { status: r.status, ok: r.ok, headers, text: await r.text(), used: r.bodyUsed };
  };

  it("sends what fetch sends and reads back what fetch reads, for API and token requests", async () => {
    const cases: Array<[string, RequestInit]> = [
      ["/echo", { redirect: "manual", headers: { authorization: "Bearer t", accept: "application/json" } }],
      ["/echo", { redirect: "error", method: "POST", body: "grant_type=client_credentials&scope=x", headers: { "content-type": "application/x-www-form-urlencoded" } }],
      ["/echo", { redirect: "manual", method: "PATCH", body: '{"status":"Resolved"}' }],
      ["/echo", { redirect: "manual", method: "POST" }],
      ["/echo", { redirect: "manual", method: "PATCH" }],
      ["/big", { redirect: "manual" }],
      ["/gzip", { redirect: "manual" }],
      ["/deflate", { redirect: "manual" }],
      ["/unknown-coding", { redirect: "manual" }],
      ["/redirect", { redirect: "manual" }],
      ["/empty", { redirect: "manual", method: "DELETE" }],
      ["/error", { redirect: "manual" }],
    ];
    for (const [path, init] of cases) assert.deepEqual(await seen(own.fetch, path, init), await seen(viaFetch, path, init), `${init.method ?? "GET"} ${path}`);
  });

  it("gives a page's bytes as a buffer of its own, and a body only once", async () => {
    const r = await own.fetch(`${base}/big`, { redirect: "manual" });
    const bytes = await r.arrayBuffer();
    assert.equal(Buffer.from(bytes).toString(), big);
    assert.equal(r.bodyUsed, true);
    await assert.rejects(r.text(), TypeError);
    const s = await own.fetch(`${base}/gzip`, { redirect: "manual" });
    assert.deepEqual(JSON.parse(await new Response(s.body).text()), JSON.parse(big), "the body as a stream, decoded");
    assert.equal((await own.fetch(`${base}/empty`, { redirect: "manual" })).body, null);
  });

  it("refuses a redirect when told to, fails like fetch when nothing answers, and ends with the caller's abort", async () => {
    await assert.rejects(own.fetch(`${base}/redirect`, { redirect: "error" }), (e: Error) => e instanceof TypeError && e.message === "fetch failed");
    await assert.rejects(
      own.fetch("http://127.0.0.1:1/none", { redirect: "manual" }),
      (e: Error & { cause?: { code?: string } }) => e instanceof TypeError && e.message === "fetch failed" && e.cause?.code === "ECONNREFUSED",
    );
    const early = new AbortController();
    early.abort(new Error("stopped by the caller"));
    await assert.rejects(own.fetch(`${base}/echo`, { redirect: "manual", signal: early.signal }), (e: Error) => e === early.signal.reason);
    const late = new AbortController();
    const r = await own.fetch(`${base}/slow`, { redirect: "manual", signal: late.signal });
    const reading = r.text();
    late.abort(new Error("timed out while reading"));
    await assert.rejects(reading, (e: Error) => e === late.signal.reason);
  });

  it("gives up on a connection whose TLS handshake never ends, as a failure before anything was sent", async () => {
    // A server that accepts the connection and never answers the client's hello.
    const held: Socket[] = [];
    const silent = createTcpServer((socket) => held.push(socket));
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const quick = createDefaultFetch({ connectTimeoutMs: 300 });
    try {
      const failure = await quick.fetch(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/api/alerts`, { redirect: "manual" }).then(
        () => assert.fail("answered"),
        (e: unknown) => e,
      );
      assert.ok(failure instanceof TypeError && failure.message === "fetch failed", String(failure));
      assert.equal((failure.cause as { code?: string } | undefined)?.code, "ERR_CONNECT_TIMEOUT");
      assert.equal(failedBeforeSending(failure), true, "safe to send again");
    } finally {
      await quick.close();
      for (const s of held) s.destroy();
      silent.close();
    }
  });

  it("hands anything else (another redirect mode, a non-string body) to fetch itself", async () => {
    const r = await own.fetch(`${base}/echo`, { method: "POST", body: new URLSearchParams({ a: "1" }) });
    const echo = (await r.json()) as { body: string; headers: Record<string, string> };
    assert.equal(echo.body, "a=1");
    assert.equal(echo.headers["content-type"], "application/x-www-form-urlencoded;charset=UTF-8");
  });
});
