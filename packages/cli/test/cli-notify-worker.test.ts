/**
 * `mde-partner worker` evaluates the notification rules of its PostgreSQL
 * store: alerts its sync writes after the rule exists reach a receiver on
 * 127.0.0.1 as one digest (not one message per alert), once.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { type CliHome, emulatorHome, type EmulatorWorld, type RunningCli, servedEmulator } from "./helpers.js";

const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

describe("mde-partner worker delivers notifications", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let receiver: Server;
  let hookUrl = "";
  const bodies: string[] = [];
  const schema = `cli_notify_${randomBytes(4).toString("hex")}`;
  const dbUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  let worker: RunningCli | undefined;

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 12, machinesPerTenant: 1, seed: 77 });
    cli = await emulatorHome(world.info, { initArgs: ["--db", dbUrl], tenants: world.info.tenants });
    await cli.ok(["tenants", "verify", "--all"]);
    receiver = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      bodies.push(body);
      res.writeHead(204).end();
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  after(async () => {
    await worker?.stop("SIGKILL");
    receiver?.close();
    await world?.stop();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.query(`drop schema if exists ${schema}_jobs cascade`);
    await c.end();
  });

  it("the alerts of the worker's first sync are one digest per rule, delivered once", async () => {
    await cli.ok(["notify", "add", "--name", "all-alerts", "--to", `webhook:${hookUrl}`, "--interval", "1h"]);
    worker = cli.start(["worker", "--interval", "1h", "--concurrency", "1"]);
    await worker.waitFor(/tenant \S+: 12 new/, 60_000, "stderr");
    for (let i = 0; i < 300 && bodies.length === 0; i++) await delay(100);
    // A moment longer: nothing more arrives.
    await delay(2_500);
    assert.equal(await worker.stop("SIGTERM"), 0, worker.stderr());
    assert.equal(bodies.length, 1, worker.stderr());
    const digest = JSON.parse(bodies[0]!);
    assert.equal(digest.kind, "digest");
    assert.equal(digest.total, 12);
    assert.match(worker.stderr(), /notify: 12 matching alert version\(s\), 1 message\(s\) delivered/);
  });
});
