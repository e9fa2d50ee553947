import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AcquiredToken } from "../src/auth/grants/token-source.js";
import { silentLogger } from "../src/logger.js";
import { createTokenCache, tokenCacheKey } from "../src/auth/token-cache.js";

function setup(lifetimeSec = 3600) {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now };
  const warnings: unknown[] = [];
  const logger = { ...silentLogger, warn: (o: object) => warnings.push(o) };
  const cache = createTokenCache({ clock, logger });
  let issued = 0;
  let fail = false;
  const acquire = async (): Promise<AcquiredToken> => {
    const requestedAt = now;
    issued++;
    if (fail) throw Object.assign(new Error("down"), { code: "ERR_MDE_NETWORK" });
    await new Promise<void>((r) => setImmediate(r));
    return { accessToken: `token-${issued}`, expiresInSec: lifetimeSec, requestedAt };
  };
  return {
    cache,
    acquire,
    warnings,
    advance: (ms: number) => {
      now += ms;
    },
    issued: () => issued,
    failNext: (v: boolean) => {
      fail = v;
    },
  };
}

const KEY = tokenCacheKey({
  authorityHost: "login.microsoftonline.com",
  tenantId: "T",
  clientId: "C",
  audience: "https://api.securitycenter.microsoft.com/.default",
});

describe("token cache", () => {
  it("builds the key from authority host, tenant, client and audience", () => {
    assert.equal(KEY, "login.microsoftonline.com|t|c|https://api.securitycenter.microsoft.com/.default");
  });

  it("single-flights 1,000 concurrent callers of a cold key into one acquisition", async () => {
    const s = setup();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => s.cache.get(KEY, s.acquire)));
    assert.equal(s.issued(), 1);
    assert.ok(tokens.every((t) => t === "token-1"));
  });

  it("serves the cached token, refreshes in the background inside the should-window, waits inside the must-window", async () => {
    const s = setup(3600);
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1");
    s.advance(3600_000 - 6 * 60_000); // 6 min before expiry: plain cache hit
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1");
    assert.equal(s.issued(), 1);
    s.advance(2 * 60_000); // 4 min before expiry: still token-1, refresh starts in the background
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1");
    assert.equal(s.issued(), 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(await s.cache.get(KEY, s.acquire), "token-2");

    s.advance(3600_000 - 10_000); // 10 s before token-2 expires: inside the must-window
    assert.equal(await s.cache.get(KEY, s.acquire), "token-3");
  });

  it("uses the returned lifetime, not a constant", async () => {
    const s = setup(600); // 10-minute token
    await s.cache.get(KEY, s.acquire);
    const entry = s.cache.peek(KEY)!;
    assert.equal(entry.expiresAt - entry.refreshAt, 5 * 60_000);
    assert.equal(entry.expiresAt - entry.mustRefreshAt, 30_000);
    const short = setup(60); // windows shrink to half / a tenth of a short lifetime
    await short.cache.get(KEY, short.acquire);
    const e = short.cache.peek(KEY)!;
    assert.equal(e.expiresAt - e.refreshAt, 30_000);
    assert.equal(e.expiresAt - e.mustRefreshAt, 6_000);
  });

  it("keeps the valid token when a background refresh fails, and tells the logger", async () => {
    const s = setup(3600);
    await s.cache.get(KEY, s.acquire);
    s.advance(3600_000 - 60_000);
    s.failNext(true);
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1");
    await new Promise((r) => setImmediate(r));
    assert.equal(s.warnings.length, 1);
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1", "still served; no retry storm within the back-off");
    assert.equal(s.issued(), 2);
  });

  it("evicts only the token the API refused, and drops expired entries", async () => {
    const s = setup(3600);
    await s.cache.get(KEY, s.acquire);
    s.cache.evict(KEY, "some-older-token");
    assert.equal(await s.cache.get(KEY, s.acquire), "token-1");
    s.cache.evict(KEY, "token-1");
    assert.equal(await s.cache.get(KEY, s.acquire), "token-2");
    s.advance(3601_000);
    assert.equal(s.cache.peek(KEY), undefined);
  });

  it("lets one caller abort its wait without failing the others", async () => {
    const s = setup();
    const controller = new AbortController();
    const mine = s.cache.get(KEY, s.acquire, { signal: controller.signal });
    const theirs = s.cache.get(KEY, s.acquire);
    controller.abort(new Error("mine only"));
    await assert.rejects(mine, { message: "mine only" });
    assert.equal(await theirs, "token-1");
  });
});
