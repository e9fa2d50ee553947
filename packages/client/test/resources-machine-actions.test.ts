/** `waitForCompletion` polls until a final status, honours timeout and abort, with an injected clock. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Clock, createMdeApi, MachineActionWaitTimeoutError } from "@mde-partner/client";
import { createTestTransport } from "./resources-fixture.js";

const ACTION = "5382f7ea-7557-4ab7-9782-d50480024a4e";

function fakeClock(): Required<Clock> & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      slept.push(ms);
      t += ms;
    },
  };
}

function statuses(...list: string[]) {
  let i = 0;
  return createTestTransport(async () => {
    const status = list[Math.min(i++, list.length - 1)];
    return new Response(JSON.stringify({ id: ACTION, type: "Isolate", status }), { status: 200 });
  });
}

describe("machineActions.waitForCompletion", () => {
  it("polls until Succeeded and returns the final action", async () => {
    const clock = fakeClock();
    const transport = statuses("Pending", "InProgress", "InProgress", "Succeeded");
    const action = await createMdeApi(transport, { clock }).machineActions.waitForCompletion(ACTION, { intervalMs: 1000 });
    assert.equal(action.status, "Succeeded");
    assert.equal(transport.captured.length, 4);
    assert.ok(transport.captured.every((c) => c.request.path === `/api/machineactions/${ACTION}` && c.method === "GET"));
    assert.deepStrictEqual(clock.slept, [1000, 1000, 1000]);
  });

  for (const final of ["Failed", "TimeOut", "Cancelled"]) {
    it(`stops at ${final}`, async () => {
      const action = await createMdeApi(statuses("Pending", final), { clock: fakeClock() }).machineActions.waitForCompletion(ACTION);
      assert.equal(action.status, final);
    });
  }

  it("times out with the last seen action", async () => {
    const clock = fakeClock();
    await assert.rejects(
      createMdeApi(statuses("Pending"), { clock }).machineActions.waitForCompletion(ACTION, { intervalMs: 1000, timeoutMs: 3500 }),
      (e: unknown) => e instanceof MachineActionWaitTimeoutError && e.action.status === "Pending" && e.code === "ERR_MDE_TIMEOUT",
    );
    assert.deepStrictEqual(clock.slept, [1000, 1000, 1000, 500]);
  });

  it("stops when aborted (real timers)", async () => {
    const controller = new AbortController();
    const transport = statuses("Pending");
    const done = createMdeApi(transport).machineActions.waitForCompletion(ACTION, { intervalMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(done, (e: unknown) => (e as Error).name === "AbortError");
    assert.equal(transport.captured.length, 1);
  });
});
