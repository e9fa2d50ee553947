/**
 * Where the webhook forwarder may send customer alerts (webhook-target.ts):
 * address classes unit-tested with literal IPs only (no traffic ever goes to a
 * non-loopback address), URL rules, names whose resolution lands on a refused
 * address (checked at connect time, with an injected resolver: nothing is
 * sent), and redirects between local receivers on 127.0.0.1 / localhost.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { checkWebhookUrl, classifyAddress, createWebhookForwarder, openStore, refusedAddress, type Store } from "@mde-partner/sync";
import { randomTenantId } from "./helpers/databases.js";

describe("webhook target addresses", () => {
  it("classifies literal IPs: metadata, loopback, link-local, private, public and the rest", () => {
    const cases: Array<[string, string]> = [
      ["169.254.169.254", "metadata"],
      ["169.254.170.2", "metadata"],
      ["100.100.100.200", "metadata"],
      ["168.63.129.16", "metadata"],
      ["fd00:ec2::254", "metadata"],
      ["::ffff:169.254.169.254", "metadata"],
      ["::ffff:a9fe:a9fe", "metadata"],
      ["127.0.0.1", "loopback"],
      ["127.8.9.10", "loopback"],
      ["::1", "loopback"],
      ["::ffff:127.0.0.1", "loopback"],
      ["169.254.1.1", "link-local"],
      ["fe80::1", "link-local"],
      ["febf::1", "link-local"],
      ["10.1.2.3", "private"],
      ["172.16.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.1.1", "private"],
      ["100.64.0.1", "private"],
      ["fc00::1", "private"],
      ["fd12:3456::1", "private"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["224.0.0.1", "multicast"],
      ["ff02::1", "multicast"],
      ["255.255.255.255", "reserved"],
      ["8.8.8.8", "public"],
      ["172.32.0.1", "public"],
      ["2606:4700::1111", "public"],
    ];
    for (const [ip, kind] of cases) assert.equal(classifyAddress(ip), kind, ip);
    assert.throws(() => classifyAddress("example.com"), TypeError);
  });

  it("refuses metadata always, private and link-local unless allowed, loopback through a name unless allowed", () => {
    assert.match(refusedAddress("169.254.169.254", false) ?? "", /metadata/);
    assert.match(refusedAddress("169.254.169.254", false, { allowPrivateTargets: true }) ?? "", /metadata/);
    assert.match(refusedAddress("fd00:ec2::254", true, { allowPrivateTargets: true }) ?? "", /metadata/);
    for (const ip of ["10.0.0.5", "192.168.0.10", "fe80::1", "169.254.10.10", "fc00::5"]) {
      assert.ok(refusedAddress(ip, true), `${ip} refused by default`);
      assert.equal(refusedAddress(ip, true, { allowPrivateTargets: true }), undefined, `${ip} allowed when private targets are`);
    }
    assert.equal(refusedAddress("127.0.0.1", false), undefined, "a loopback literal is the local receiver");
    assert.match(refusedAddress("127.0.0.1", true) ?? "", /loopback address reached through a DNS name/);
    assert.equal(refusedAddress("8.8.8.8", true), undefined);
    assert.ok(refusedAddress("0.0.0.0", false, { allowPrivateTargets: true }));
  });

  it("checks URLs: https, http to loopback only, no credentials, no refused literal", () => {
    for (const ok of ["https://soar.example.com/hook", "http://127.0.0.1:8080/hook", "http://[::1]:9/h", "http://localhost:3000/h", "https://8.8.8.8/h"]) {
      assert.equal(checkWebhookUrl(ok).href, new URL(ok).href, ok);
    }
    const refused: Array<[string, RegExp]> = [
      ["http://soar.example.com/hook", /must be https/],
      ["http://10.0.0.5/hook", /must be https/],
      ["ftp://soar.example.com/", /must be https/],
      ["https://169.254.169.254/latest/meta-data/", /metadata/],
      ["https://[fd00:ec2::254]/", /metadata/],
      ["https://[::ffff:169.254.169.254]/", /metadata/],
      ["https://10.0.0.5/hook", /private address/],
      ["https://[fe80::1]/hook", /link-local/],
      ["https://user:pw@soar.example.com/hook", /credentials/],
      ["not a url", /not a valid URL/],
    ];
    for (const [url, why] of refused) assert.throws(() => checkWebhookUrl(url), why, url);
    assert.equal(checkWebhookUrl("https://10.0.0.5/hook", { allowPrivateTargets: true }).hostname, "10.0.0.5");
    assert.throws(() => checkWebhookUrl("https://169.254.169.254/", { allowPrivateTargets: true }), /metadata/);
  });
});

describe("webhook forwarder: targets and redirects (sqlite)", () => {
  let store: Store;
  const tenant = randomTenantId();
  const servers: Server[] = [];
  const received = new Map<string, Array<{ path: string; headers: IncomingMessage["headers"]; body: string }>>();

  async function receiver(name: string, handler: (req: IncomingMessage, res: ServerResponse) => void, host = "127.0.0.1"): Promise<string> {
    received.set(name, []);
    const server = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      received.get(name)!.push({ path: req.url ?? "", headers: req.headers, body });
      handler(req, res);
    });
    server.listen(0, host);
    await once(server, "listening");
    servers.push(server);
    return `http://${host === "127.0.0.1" ? "127.0.0.1" : "localhost"}:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    store = await openStore({ url: ":memory:" });
    await store.upsertTenant({ id: tenant, name: "Contoso", initialState: "consented" });
    await store.applyAlertPage(tenant, [{ id: "da1", title: "t", lastUpdateTime: "2025-01-01T00:00:00Z" }], { value: null, seenIds: [] });
  });
  after(async () => {
    for (const s of servers) s.close();
    await store.close();
  });

  it("refuses http to a non-loopback host, metadata and private targets at construction", () => {
    assert.throws(() => createWebhookForwarder({ store, url: "http://soar.example.com/hook" }), /must be https/);
    assert.throws(() => createWebhookForwarder({ store, url: "https://169.254.169.254/" }), /metadata/);
    assert.throws(() => createWebhookForwarder({ store, url: "https://192.168.1.20/hook" }), /private address/);
    assert.throws(() => createWebhookForwarder({ store, url: "https://169.254.169.254/", allowPrivateTargets: true }), /metadata/);
  });

  it("a 307 to another origin is not followed: the other origin receives nothing, nothing is marked delivered", async () => {
    const other = await receiver("other", (_req, res) => res.writeHead(204).end(), "localhost");
    const first = await receiver("first", (_req, res) => res.writeHead(307, { location: `${other}/stolen?token=abc` }).end());
    const sleeps: number[] = [];
    const forwarder = createWebhookForwarder({
      store,
      url: `${first}/hook`,
      name: "cross",
      headers: { "x-api-key": "receiver-key" },
      signingSecret: "s3cret",
      sleep: async (ms) => void sleeps.push(ms),
    });
    const r = await forwarder.runOnce();
    assert.equal(r.delivered, 0);
    assert.match(r.failed?.error ?? "", /redirected \(HTTP 307\) to another origin, http:\/\/localhost:\d+: not followed/);
    assert.doesNotMatch(r.failed?.error ?? "", /token=abc/, "the Location's path and query are not repeated");
    assert.equal(received.get("first")!.length, 1, "one attempt: a refused redirect is not retried");
    assert.deepEqual(sleeps, []);
    assert.deepEqual(received.get("other"), [], "the other origin received nothing");
    assert.equal((await store.pendingDeliveries("cross")).length, 1, "still pending");
  });

  it("a same-origin 307 is followed with the body, the signature and the API key", async () => {
    let base = "";
    base = await receiver("same", (req, res) => {
      if (req.url === "/hook") res.writeHead(307, { location: "/hook/v2" }).end();
      else res.writeHead(204).end();
    });
    const forwarder = createWebhookForwarder({ store, url: `${base}/hook`, name: "same", headers: { "x-api-key": "k" }, signingSecret: "s" });
    assert.deepEqual(await forwarder.runOnce(), { delivered: 1 });
    const [a, b] = received.get("same")!;
    assert.deepEqual([a?.path, b?.path], ["/hook", "/hook/v2"]);
    assert.equal(b?.body, a?.body);
    assert.equal(b?.headers["x-api-key"], "k");
    assert.equal(b?.headers["x-signature-256"], a?.headers["x-signature-256"]);
  });

  it("a name resolving to a private or loopback address is refused when connecting: nothing is sent", async () => {
    const resolved: string[] = [];
    for (const address of ["10.0.0.5", "127.0.0.1", "169.254.169.254"]) {
      const forwarder = createWebhookForwarder({
        store,
        url: "https://receiver.invalid/hook",
        name: "dns",
        maxAttempts: 1,
        // The name "resolves" to the address under test; the socket never gets it.
        resolveAll: async (host) => {
          resolved.push(host);
          return [{ address, family: 4 }];
        },
      });
      const r = await forwarder.runOnce();
      assert.equal(r.delivered, 0);
      assert.match(r.failed?.error ?? "", new RegExp(`receiver\\.invalid resolves to .*${address.replace(/\./g, "\\.")}.*refused`), address);
    }
    assert.deepEqual(resolved, ["receiver.invalid", "receiver.invalid", "receiver.invalid"], "resolved when connecting, once per delivery");
  });
});
