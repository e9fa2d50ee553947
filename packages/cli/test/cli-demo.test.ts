import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli, tempDir } from "./helpers.js";

test("`mde-partner demo --no-serve` walks the flow from a fresh home and ends with the summary, exit 0", async () => {
  const started = Date.now();
  const r = await runCli(["demo", "--no-serve"], { home: tempDir("mde-cli-demo-") });
  assert.equal(r.code, 0, r.stderr);
  for (const step of [
    "Least-privilege permissions",
    "consent link per customer",
    "admins consent",
    "token per customer",
    "Token inspection",
    "Alerts across",
    "re-consent link",
    "Sync every",
    "Summary",
  ]) {
    assert.match(r.stdout, new RegExp(step), step);
  }
  assert.match(r.stdout, /Northwind Traders\s+accepted on the consent page .*admin_consent=True/);
  assert.match(r.stdout, /Tailspin Toys .*missing Alert\.Read\.All/);
  assert.match(r.stdout, /TENANT\s+STATE\s+HIGH\s+MEDIUM\s+LOW/);
  assert.match(r.stdout, /Contoso\s+verified\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+200/);
  assert.ok(Date.now() - started < 30_000, "well under a minute");
});
