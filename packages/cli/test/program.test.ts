/** The program by noun: a command line loads only the noun it names; the whole tree is there for help. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { createProgram, nounsFor } from "../src/main.js";

describe("program by noun", () => {
  it("a command line needs only the noun it names; --version and an unknown command need none; help needs them all", () => {
    assert.deepEqual(nounsFor(["alerts", "list", "--tenant", "x"]), ["alerts"]);
    assert.deepEqual(nounsFor(["--debug", "tenants", "list"]), ["tenants"]);
    assert.deepEqual(nounsFor(["help", "machines"]), ["machines"]);
    assert.deepEqual(nounsFor(["machines", "--help"]), ["machines"]);
    assert.deepEqual(nounsFor(["--version"]), []);
    assert.deepEqual(nounsFor(["alrets"]), []);
    const all = nounsFor(["--help"]);
    assert.ok(all.includes("alerts") && all.includes("users") && all.includes("lookup") && all.includes("tvm") && all.includes("report") && all.includes("notify") && all.includes("baseline") && all.length === 30);
    assert.deepEqual(nounsFor([]), all);
    assert.deepEqual(nounsFor(["help"]), all);
    assert.deepEqual(nounsFor(["alrets", "--help"]), all);
  });

  it("registers the named noun in full and the others by name and description", async () => {
    const program = await createProgram({ exitCode: 0 }, ["alerts"]);
    const alerts = program.commands.find((c) => c.name() === "alerts");
    const tenants = program.commands.find((c) => c.name() === "tenants");
    assert.deepEqual(
      alerts?.commands.map((c) => c.name()),
      ["list", "get", "update", "related"],
    );
    assert.equal(tenants?.commands.length, 0);
    assert.equal(tenants?.description(), "customer tenants");
  });

  it("sync's help names the engine's default concurrency", async () => {
    const { DEFAULT_SYNC_CONCURRENCY } = await import("@mde-partner/sync");
    const program = await createProgram({ exitCode: 0 }, ["sync"]);
    const flag = program.commands.find((c) => c.name() === "sync")?.options.find((o) => o.long === "--concurrency");
    assert.equal(flag?.defaultValue, String(DEFAULT_SYNC_CONCURRENCY));
  });

  it("the whole tree: every noun with its subcommands, the response actions under machines", async () => {
    const program = await createProgram({ exitCode: 0 });
    assert.equal(program.commands.length, 30);
    const machines = program.commands.find((c) => c.name() === "machines");
    assert.deepEqual(
      machines?.commands.map((c) => c.name()),
      ["list", "get", "isolate", "unisolate", "scan", "collect", "restrict", "unrestrict", "stop-and-quarantine", "offboard", "cancel", "live-response"],
    );
    assert.ok(machines?.commands.find((c) => c.name() === "stop-and-quarantine")?.options.some((o) => o.long === "--sha1"));
    assert.ok(!machines?.commands.find((c) => c.name() === "offboard")?.options.some((o) => o.long === "--sha1"));
    for (const [noun, subcommands] of [
      ["lookup", ["file", "ip", "domain", "user"]],
      ["investigations", ["list", "get", "start"]],
      ["library", ["list", "upload", "delete"]],
      ["tvm", ["vulnerabilities", "software", "recommendations", "missing-kbs", "exposure-score", "secure-score", "machines-by-cve"]],
      ["groups", ["add", "list", "remove"]],
      ["tokens", ["create", "list", "revoke"]],
      ["access", ["grant", "list", "revoke"]],
      ["notify", ["add", "list", "test", "remove"]],
      ["baseline", ["plan", "apply", "drift"]],
    ] as const)
      assert.deepEqual(program.commands.find((c) => c.name() === noun)?.commands.map((c) => c.name()), subcommands, noun);
    const scan = machines?.commands.find((c) => c.name() === "scan");
    assert.ok(scan?.options.some((o) => o.long === "--type"));
    assert.ok(!machines?.commands.find((c) => c.name() === "unisolate")?.options.some((o) => o.long === "--type"));
    // --group beside --tenant/--all on the multi-tenant commands.
    const hasGroup = (c: Command | undefined) => c?.options.some((o) => o.long === "--group") === true;
    const sub = (noun: string, name: string) => program.commands.find((c) => c.name() === noun)?.commands.find((c) => c.name() === name);
    for (const c of [sub("alerts", "list"), sub("machines", "list"), sub("export", "alerts"), sub("users", "add"), sub("baseline", "plan"), sub("baseline", "apply"), sub("baseline", "drift")])
      assert.ok(hasGroup(c), c?.name());
    for (const noun of ["hunt", "sync"]) assert.ok(hasGroup(program.commands.find((c) => c.name() === noun)), noun);
  });
});
