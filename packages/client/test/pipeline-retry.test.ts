import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MdeError } from "@mde-partner/client";
import { fakeCredential, fakeTime, isolate, json, listAlerts, mdeError, networkError, pipelineClient, scriptedFetch, TENANT_A } from "./pipeline-fakes.js";

const ok = () => json(200, { value: [] });

describe("retry policy", () => {
  it("waits the Retry-After of a 429, then succeeds, keeping the client-request-id", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([mdeError(429, "TooManyRequests", "quota", { "Retry-After": "7" }), ok()], time);
    const { partner } = pipelineClient({ fetch }, time);
    const response = await partner.tenant(TENANT_A).transport.send(listAlerts);
    assert.equal(response.status, 200);
    assert.equal(seen.length, 2);
    assert.ok(time.sleeps.includes(7000), `slept ${time.sleeps}`);
    assert.equal(seen[1]!.at - seen[0]!.at, 7000);
    const id = seen[0]!.headers.get("client-request-id");
    assert.match(id ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(seen[1]!.headers.get("client-request-id"), id);
    assert.match(seen[0]!.headers.get("user-agent") ?? "", /mde-partner-client\//);
  });

  it("gives up after the throttling retries with ERR_MDE_RATE_LIMITED carrying retryAfterMs", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([mdeError(429, "TooManyRequests", "quota", { "Retry-After": "2" })], time);
    const { partner } = pipelineClient({ fetch, retry: { maxThrottleRetries: 2 } }, time);
    await assert.rejects(partner.tenant(TENANT_A).transport.send(listAlerts), (e: unknown) => {
      assert.ok(e instanceof MdeError);
      assert.equal(e.code, "ERR_MDE_RATE_LIMITED");
      assert.equal((e as { retryAfterMs?: number }).retryAfterMs, 2000);
      assert.equal((e as { apiCode?: string }).apiCode, "TooManyRequests");
      return true;
    });
    assert.equal(seen.length, 3);
  });

  it("does not sleep for a Retry-After above the cap: the caller gets it at once", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([mdeError(429, "TooManyRequests", "quota", { "Retry-After": "3600" })], time);
    const { partner } = pipelineClient({ fetch, retry: { maxRetryAfterMs: 60_000 } }, time);
    await assert.rejects(partner.tenant(TENANT_A).transport.send(listAlerts), { code: "ERR_MDE_RATE_LIMITED", retryAfterMs: 3_600_000 });
    assert.equal(seen.length, 1);
    assert.ok(!time.sleeps.some((s) => s >= 3_600_000));
  });

  it("backs off exponentially with jitter on 5xx for idempotent calls", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch(
      [mdeError(500, "InternalServerError"), mdeError(502, "BadGateway"), mdeError(500, "InternalServerError"), ok()],
      time,
    );
    const { partner } = pipelineClient({ fetch, retry: { baseDelayMs: 1000 } }, time);
    const response = await partner.tenant(TENANT_A).transport.send(listAlerts);
    assert.equal(response.status, 200);
    assert.equal(seen.length, 4);
    const gaps = [seen[1]!.at - seen[0]!.at, seen[2]!.at - seen[1]!.at, seen[3]!.at - seen[2]!.at];
    // random() = 0.5 → 3/4 of each cap: 750, 1500, 3000.
    assert.deepEqual(gaps, [750, 1500, 3000]);
  });

  it("does not repeat a 501: an operation the service does not implement stays unimplemented", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([mdeError(501, "NotImplemented"), ok()], time);
    const { partner } = pipelineClient({ fetch }, time);
    const response = await partner.tenant(TENANT_A).transport.send(listAlerts).catch((e: unknown) => e);
    assert.equal(seen.length, 1);
    assert.ok(response instanceof MdeError || (response as Response).status === 501);
  });

  it("repeats a GET after a reset connection but never a POST whose outcome is unknown", async () => {
    const getFetch = scriptedFetch([networkError("ECONNRESET"), ok()]);
    await pipelineClient({ fetch: getFetch.fetch }).partner.tenant(TENANT_A).transport.send(listAlerts);
    assert.equal(getFetch.seen.length, 2);

    const postFetch = scriptedFetch([networkError("ECONNRESET"), json(201, { id: "x" })]);
    await assert.rejects(pipelineClient({ fetch: postFetch.fetch }).partner.tenant(TENANT_A).transport.send(isolate), {
      code: "ERR_MDE_NETWORK",
      notSent: false,
    });
    assert.equal(postFetch.seen.length, 1, "the isolate request was sent once only");
  });

  it("repeats a POST whose connection was never established", async () => {
    const { fetch, seen } = scriptedFetch([networkError("ECONNREFUSED"), json(201, { id: "x" })]);
    const response = await pipelineClient({ fetch }).partner.tenant(TENANT_A).transport.send(isolate);
    assert.equal(response.status, 201);
    assert.equal(seen.length, 2);
  });

  it("does not repeat a POST answered 500, but repeats one answered 503 (not processed)", async () => {
    const f500 = scriptedFetch([mdeError(500, "InternalServerError"), json(201, {})]);
    await assert.rejects(pipelineClient({ fetch: f500.fetch }).partner.tenant(TENANT_A).transport.send(isolate), {
      code: "ERR_MDE_HTTP",
      status: 500,
    });
    assert.equal(f500.seen.length, 1);
    const f503 = scriptedFetch([mdeError(503, "ServiceUnavailable"), json(201, {})]);
    const response = await pipelineClient({ fetch: f503.fetch }).partner.tenant(TENANT_A).transport.send(isolate);
    assert.equal(response.status, 201);
    assert.equal(f503.seen.length, 2);
  });

  it("never retries other 4xx and maps them to typed errors", async () => {
    const bad = scriptedFetch([mdeError(400, "ODataError", "Invalid filter clause")]);
    await assert.rejects(pipelineClient({ fetch: bad.fetch }).partner.tenant(TENANT_A).transport.send(listAlerts), (e: unknown) => {
      assert.ok(e instanceof MdeError);
      assert.equal(e.code, "ERR_MDE_BAD_REQUEST");
      assert.equal((e as { apiCode?: string }).apiCode, "ODataError");
      assert.equal(e.correlationId, "c0rre1a7-0000-4000-8000-000000000000");
      assert.equal(e.tenantId, TENANT_A);
      assert.match(e.message, /Invalid filter clause/);
      return true;
    });
    assert.equal(bad.seen.length, 1);
    const missing = scriptedFetch([mdeError(404, "ResourceNotFound", "Machine 123 was not found")]);
    await assert.rejects(pipelineClient({ fetch: missing.fetch }).partner.tenant(TENANT_A).transport.send(listAlerts), {
      code: "ERR_MDE_NOT_FOUND",
      apiCode: "ResourceNotFound",
    });
    assert.equal(missing.seen.length, 1);
  });

  it("names the missing permissions on a 403 when the token's roles cannot be read", async () => {
    const { fetch, seen } = scriptedFetch([mdeError(403, "Forbidden")]);
    const opaque = { getToken: async () => ({ token: "opaque-token", expiresOnTimestamp: Date.now() + 3600_000 }) };
    const { partner } = pipelineClient({ fetch, credential: opaque });
    await assert.rejects(partner.tenant(TENANT_A).transport.send(isolate), (e: unknown) => {
      assert.equal((e as MdeError).code, "ERR_MDE_FORBIDDEN");
      assert.deepEqual((e as { missingPermissions: string[] }).missingPermissions, ["Machine.Isolate"]);
      assert.match((e as Error).message, /Machine\.Isolate/);
      return true;
    });
    assert.equal(seen.length, 1, "the call was made: nothing in the token said it would fail");
  });

  it("refuses before sending when the token visibly lacks the permission", async () => {
    const { fetch, seen } = scriptedFetch([]);
    const { partner } = pipelineClient({ fetch, credential: fakeCredential(["Alert.Read.All"]) });
    await assert.rejects(partner.tenant(TENANT_A).transport.send(isolate), (e: unknown) => {
      assert.equal((e as MdeError).code, "ERR_MDE_FORBIDDEN");
      assert.deepEqual((e as { missingPermissions: string[] }).missingPermissions, ["Machine.Isolate"]);
      return true;
    });
    assert.equal(seen.length, 0, "no request was sent");
  });

  it("on a 401 evicts the token, gets a fresh one and repeats once", async () => {
    const { fetch, seen } = scriptedFetch([mdeError(401, "Unauthorized"), ok()]);
    const { partner, credential } = pipelineClient({ fetch });
    const response = await partner.tenant(TENANT_A).transport.send(isolate);
    assert.equal(response.status, 200);
    assert.equal(credential.calls.length, 2);
    assert.notEqual(seen[0]!.headers.get("authorization"), seen[1]!.headers.get("authorization"));
    // A second call uses the fresh token from the cache.
    await partner.tenant(TENANT_A).transport.send(listAlerts);
    assert.equal(credential.calls.length, 2);

    const twice = scriptedFetch([mdeError(401, "Unauthorized")]);
    const other = pipelineClient({ fetch: twice.fetch });
    await assert.rejects(other.partner.tenant(TENANT_A).transport.send(listAlerts), { code: "ERR_MDE_AUTH", status: 401 });
    assert.equal(twice.seen.length, 2, "exactly one repeat after a 401");
  });

  it("times out a hung request with ERR_MDE_TIMEOUT and honours the caller's abort", async () => {
    const hang = (_s: unknown, init: RequestInit | undefined) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const { fetch } = scriptedFetch([hang]);
    const { partner } = pipelineClient({ fetch, timeoutMs: 30, retry: { maxTransientRetries: 0 } });
    // AbortSignal.timeout's timer is unref'd (a real socket would hold the loop open): hold it here.
    const hold = setTimeout(() => {}, 5000);
    await assert.rejects(partner.tenant(TENANT_A).transport.send(listAlerts), { code: "ERR_MDE_TIMEOUT" });
    clearTimeout(hold);

    const hung = scriptedFetch([hang]);
    const controller = new AbortController();
    const pending = pipelineClient({ fetch: hung.fetch })
      .partner.tenant(TENANT_A)
      .transport.send({ ...listAlerts, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 10);
    await assert.rejects(pending, { message: "stop" });
    assert.equal(hung.seen.length, 1);
  });
});
