/**
 * Alert pages that are not what the API documents, from one customer among friendly ones: a
 * sync parses each page's body on the store's writer thread, and a tenant whose answer is not a
 * page (HTML with status 200, cut-off JSON), holds an alert without an id or is larger than the
 * client's bound on an answer (`maxResponseBytes`) fails alone, with the
 * client's error for it and nothing of that page stored, while the other tenants sync whole.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { syncOnce } from "@mde-partner/sync";
import { partnerFor, suiteWorld } from "@mde-partner/test-kit";
import { addTenants, mismatches, withStore } from "./fixtures/engine-world.js";
import { DIALECTS } from "./helpers/databases.js";

describe("sync with hostile alert pages", () => {
  const world = suiteWorld({ seed: "engine-hostile-pages", tenants: 5, alertsPerTenant: 120, machinesPerTenant: 1, rateLimits: false });

  for (const dialect of DIALECTS) {
    it(`fails only the tenants whose pages are not pages, and stores nothing of them (${dialect})`, async () => {
      await withStore(dialect, async (store) => {
        const { info, emulator } = world;
        const [good, html, cut, noId, huge] = info.tenants.map((t) => t.id) as [string, string, string, string, string];
        await addTenants(store, info);
        // The customers' answers, as a hostile or broken tenant could send them.
        const answers: Record<string, (real: Response) => Promise<Response>> = {
          [html]: async () => new Response("<html><body>Service Unavailable</body></html>", { status: 200, headers: { "content-type": "text/html" } }),
          [cut]: async (real) => new Response((await real.text()).slice(0, 5000), { status: 200, headers: { "content-type": "application/json" } }),
          [noId]: async (real) => {
            const page = (await real.json()) as { value: Array<Record<string, unknown>> };
            delete page.value[7]!["id"];
            return Response.json(page);
          },
          // A page of the documented shape, but 2 MiB of it one alert's title (no length stated).
          [huge]: async (real) => {
            const page = (await real.json()) as { value: Array<Record<string, unknown>> };
            page.value[0]!["title"] = "x".repeat(2 * 1024 * 1024);
            return new Response(JSON.stringify(page), { status: 200, headers: { "content-type": "application/json" } });
          },
        };
        const tenantOfToken = new Map<string, string>();
        const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
          const request = new Request(input, init);
          const response = await world.fetch!(request.clone());
          const url = new URL(request.url);
          if (url.pathname.endsWith("/oauth2/v2.0/token")) {
            const tenant = url.pathname.split("/")[1]!;
            const body = (await response.clone().json()) as { access_token?: string };
            if (body.access_token) tenantOfToken.set(body.access_token, tenant);
            return response;
          }
          const tenant = tenantOfToken.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
          return url.pathname === "/api/alerts" && tenant && answers[tenant] ? answers[tenant](response) : response;
        };
        const partner = partnerFor(world, { fetch, maxResponseBytes: 1024 * 1024 });
        const report = await syncOnce({ store, partner, machines: false, tvm: false, pageSize: 50 });
        const byId = new Map(report.tenants.map((r) => [r.tenantId, r]));
        assert.equal(byId.get(good)?.status, "ok");
        assert.deepEqual(await mismatches(store, [info.tenants[0]!], (id) => emulator.control.groundTruth(id)), []);
        for (const [tenant, message] of [
          [html, /ListAlerts: the page is not JSON/],
          [cut, /ListAlerts: the page is not JSON/],
          [noId, /alert at index 7 has no id/],
          [huge, /ListAlerts: the answer is larger than 1 MiB \(maxResponseBytes\)/],
        ] as const) {
          const r = byId.get(tenant)!;
          assert.equal(r.status, "failed", `${tenant}: ${JSON.stringify(r)}`);
          assert.match(r.error?.message ?? "", message);
          assert.equal(r.error?.message.includes("\n"), false, "one line");
          assert.equal((await store.groundTruth(tenant)).alerts, 0, "nothing of the refused page is stored");
          assert.equal(await store.getCursor(tenant, "alerts"), null);
        }
      });
    });
  }
});
