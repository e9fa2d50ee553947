/**
 * What the CLI tells an operator when Entra ID's token service is down for
 * longer than the retries (the default MSAL path, the emulator's fault
 * injection over HTTPS): the error keeps its code and the hint says the
 * failure is transient, not that the configuration is wrong.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createPartnerClient } from "@mde-partner/client";
import { createEmulator } from "@mde-partner/emulator";
import { toCliError } from "../src/errors.js";

test("a token endpoint outage that outlasts the retries: ERR_MDE_HTTP with a hint saying it is transient", async () => {
  const emulator = await createEmulator({ seed: "cli-token-outage", tenants: 1, alertsPerTenant: 1, machinesPerTenant: 1, rateLimits: false });
  const info = await emulator.start();
  const client = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    retry: { baseDelayMs: 20, maxDelayMs: 100, maxThrottleRetries: 1, maxTransientRetries: 1 },
  });
  try {
    const tenantId = info.tenants[0]!.id;
    emulator.control.addFault({ target: "token", status: 503, retryAfterSec: 1, durationMs: 60_000 });
    const error = await client.getToken(tenantId).then(
      () => assert.fail("no token during the outage"),
      (e: unknown) => e,
    );
    const cli = toCliError(error);
    assert.match(cli.message, /temporarily unavailable .*\(ERR_MDE_HTTP\)$/);
    assert.match(cli.hint ?? "", /transient/);
    assert.doesNotMatch(`${cli.message} ${cli.hint}`, /app registration|credential/);
  } finally {
    await client.close();
    await emulator.stop();
  }
});
