/**
 * `mde-partner demo` (= `npm start`): the whole partner flow on an embedded
 * emulator, with numbered steps — the least-privilege permissions, a consent
 * link per customer, a customer's admin consenting (through the emulator's
 * consent page over HTTPS), a token per tenant and its inspection, alerts
 * across tenants, the tenant whose consent drifted with its re-consent link, a
 * sync of every tenant, and a summary. Then, unless `--no-serve`, it keeps
 * the emulator live, syncs periodically and serves the partner console over
 * the store until Ctrl+C (demo-live.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findMissingPermissions } from "@mde-partner/client";
import { createEmulator } from "@mde-partner/emulator";
import { openStore } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import { type CommandContext, createContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, parseCount } from "../../errors.js";
import { createOutput } from "../../output/output.js";
import { openPartner } from "../../partner.js";
import { runAlertsList } from "../alerts/run.js";
import { planFor, runAppPermissions } from "../app/run.js";
import { runConsentLink } from "../consent/run.js";
import { acceptConsent } from "./consent.js";
import { runDemoLive } from "./live.js";
import { runInit } from "../init/run.js";
import { runSync } from "../sync/run.js";
import { runTenantsAdd } from "../tenants/run.js";
import { runTenantsVerify } from "../tenants/verify.js";

export interface DemoOptions {
  serve: boolean;
  tenants?: string;
  alertsPerTenant?: string;
  interval?: string;
}

/** What the demo's partner app does: the capabilities its permissions are planned for. */
const DEMO_CAPABILITIES = ["alerts:read", "machines:read", "machines:isolate", "hunting:run"];
const REDIRECT = "https://localhost/consent/callback";
const NAMES = ["Contoso", "Fabrikam", "Woodgrove Bank", "Litware", "Adatum", "Proseware", "Wingtip Toys", "Alpine Ski House"];

export async function runDemo(options: DemoOptions, outer: CommandContext): Promise<number> {
  const started = Date.now();
  const extra = parseCount("--tenants", options.tenants ?? "3", { min: 1, max: 50 });
  const alertsPerTenant = parseCount("--alerts-per-tenant", options.alertsPerTenant ?? "200", { min: 1, max: 100_000 });
  const intervalMs = parseDuration("--interval", options.interval ?? "10s", { minMs: 1000 });
  const io = outer.io;
  const out = createOutput(io);
  const p = out.palette;
  const home = mkdtempSync(join(tmpdir(), "mde-partner-demo-"));
  const ctx = createContext({ io, home, debug: outer.debug });
  let step = 0;
  const heading = (text: string) => io.stdout.write(`\n${p.bold(p.cyan(`${++step}. ${text}`))}\n`);
  const say = (text: string) => io.stdout.write(`   ${text}\n`);

  const plan = planFor(DEMO_CAPABILITIES);
  // The app's WindowsDefenderATP roles; its Graph roles (hunting) are the emulator's default Graph request.
  const mdeRoles = plan.roles.filter((r) => r.resource === "mde").map((r) => r.name);
  const customers = [
    ...Array.from({ length: extra }, (_, i) => ({ name: NAMES[i % NAMES.length]! + (i >= NAMES.length ? ` ${i + 1}` : "") })),
    { name: "Northwind Traders", consented: false },
    // Consented before the app asked for alerts: its grant lacks Alert.Read.All (permission drift).
    { name: "Tailspin Toys", roles: mdeRoles.filter((r) => r !== "Alert.Read.All") },
  ];
  io.stdout.write(`${p.bold("mde-partner demo")} — one multi-tenant app, every customer's Defender for Endpoint (all offline)\n`);
  say(p.dim(`temporary home ${home}`));
  const emulator = await createEmulator({
    stateDir: join(home, "emulator"),
    tenants: customers,
    alertsPerTenant,
    machinesPerTenant: 20,
    requestedRoles: mdeRoles,
    redirectUris: [REDIRECT],
    seed: 7,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await emulator.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const info = await emulator.start();
    say(`emulated Entra ID + MDE API at ${info.loginUrl} with ${info.tenants.length} customer tenants`);

    heading("Least-privilege permissions for the partner app");
    say(`the integration reads alerts and machines, isolates machines and runs hunting queries (--for ${DEMO_CAPABILITIES.join(",")}):`);
    await runAppPermissions({ for: DEMO_CAPABILITIES }, ctx);

    // The app's secret goes to a 0600 file in the demo home; the config only names the file.
    const secretFile = join(home, "client-secret");
    writeFileSync(secretFile, info.partnerApp.clientSecret, { mode: 0o600 });
    await runInit(
      {
        clientId: info.partnerApp.clientId,
        partnerTenant: info.partnerApp.homeTenantId,
        cloud: "custom",
        loginUrl: info.loginUrl,
        apiUrl: info.apiUrl,
        caCert: info.caCertFile,
        clientSecretFile: secretFile,
        consentRedirectUri: REDIRECT,
        for: DEMO_CAPABILITIES,
        quiet: true,
      },
      ctx,
    );
    for (const t of info.tenants) await runTenantsAdd(t.id, { name: t.name, quiet: true }, ctx);

    heading("A consent link per customer");
    say("each customer's Global Administrator opens their link once and accepts the permissions:");
    const links = new Map<string, string>();
    for (const t of info.tenants) {
      const captured: string[] = [];
      const capture = createContext({
        io: { ...io, stdout: { write: (s: string) => captured.push(s) > 0 }, stderr: { write: () => true } },
        home,
      });
      await runConsentLink(t.id, { v2: true, json: true }, capture);
      const url = (JSON.parse(captured.join("")) as { url: string }).url;
      links.set(t.id, url);
      say(`${p.bold(t.name.padEnd(18))} ${url.length > 110 ? `${url.slice(0, 107)}…` : url}`);
    }

    heading("The customers' admins consent");
    for (const t of info.tenants) {
      if (t.consented) {
        // Granted of the plan's permissions, the MDE API's roles and Microsoft Graph's alike.
        const granted = plan.permissions.filter((name) => t.roles.includes(name) || t.graphRoles.includes(name)).length;
        say(
          `${t.name.padEnd(18)} consented earlier${granted < plan.permissions.length ? ` (to ${granted} of ${plan.permissions.length} permissions)` : ""}`,
        );
        continue;
      }
      const redirect = await acceptConsent(links.get(t.id)!, t.id, await readCa(info.caCertFile));
      say(
        `${p.green(t.name.padEnd(18))} accepted on the consent page → ${redirect.origin}${redirect.pathname}?admin_consent=${redirect.searchParams.get("admin_consent")}&tenant=${redirect.searchParams.get("tenant")}`,
      );
    }

    const config = loadConfig(home);
    const partner = openPartner(config, ctx);
    try {
      heading("An app-only token per customer tenant (client credentials)");
      const tokens = new Map<string, string>();
      for (const t of info.tenants) {
        const token = await partner.getToken(t.id);
        tokens.set(t.id, token);
        say(`${t.name.padEnd(18)} ${token.slice(0, 24)}… (${token.length} characters)`);
      }

      heading("Token inspection: signature, issuer, audience, tid and roles");
      for (const t of info.tenants) {
        const report = await partner.inspectToken(tokens.get(t.id)!, { expectedTenantId: t.id });
        const roles = report.summary?.roles ?? [];
        const missing = findMissingPermissions(roles, plan.permissions);
        const verdict =
          report.ok && missing.length === 0 ? p.green("ok") : p.red(missing.length > 0 ? `missing ${missing.join(", ")}` : "FAILED");
        say(`${t.name.padEnd(18)} tid ${report.summary?.tenantId}  roles ${roles.join(", ")}  ${verdict}`);
      }
    } finally {
      await partner.close();
    }

    heading("Alerts across every tenant, live from the API (the first 3 of each)");
    await runAlertsList({ top: "3" }, ctx);

    heading("Verify every tenant: the drifted one and its re-consent link");
    await runTenantsVerify(undefined, { all: true }, ctx);
    const verified: string[] = [];
    const reporter = openPartner(config, ctx, { inspectOnly: true });
    const store = await openStore({ url: config.storeUrl });
    try {
      for (const t of await store.listTenants()) {
        if (t.state === "verified") verified.push(t.id);
        else
          say(
            `${p.red(t.name)} is ${t.state} (${t.lastError ?? "see above"}); re-consent link for its Global Administrator:\n   ${reporter.consentUrl(t.id)}`,
          );
      }
    } finally {
      await store.close();
      await reporter.close();
    }

    heading("Sync every verified tenant into the store");
    await runSync({ tenant: verified }, ctx);

    heading("Summary: alerts in the store by tenant and severity");
    await printSummary(config.storeUrl, ctx);
    say(p.dim(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`));

    if (!options.serve) return EXIT.ok;

    heading("Live: the emulator keeps producing alerts, the store keeps up, and the partner console shows it");
    await runDemoLive(
      {
        emulator,
        info,
        config,
        home,
        intervalMs,
        intervalText: options.interval ?? "10s",
        requiredPermissions: config.permissions ?? plan.permissions,
        palette: p,
        say,
      },
      ctx,
    );
    return EXIT.ok;
  } finally {
    await stop();
  }
}

async function readCa(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return readFile(file, "utf8");
}

async function printSummary(storeUrl: string, ctx: CommandContext): Promise<void> {
  const out = createOutput(ctx.io);
  const store = await openStore({ url: storeUrl });
  try {
    const tenants = await store.listTenants();
    const counts = await store.countAlertsByTenantAndSeverity();
    const levels = ["High", "Medium", "Low", "Informational", "UnSpecified"];
    const rows = tenants.map((t) => {
      const mine = counts.filter((c) => c.tenantId === t.id);
      const by = Object.fromEntries(levels.map((l) => [l, mine.filter((c) => c.severity === l).reduce((n, c) => n + c.count, 0)]));
      return { name: t.name, state: t.state, ...by, total: mine.reduce((n, c) => n + c.count, 0) } as Record<string, string | number>;
    });
    out.table(
      [
        { header: "TENANT", value: (r: Record<string, string | number>) => r.name },
        { header: "STATE", value: (r: Record<string, string | number>) => r.state },
        ...levels.map((l) => ({ header: l.toUpperCase(), value: (r: Record<string, string | number>) => r[l], align: "right" as const })),
        { header: "TOTAL", value: (r: Record<string, string | number>) => r.total, align: "right" as const },
      ],
      rows,
    );
  } finally {
    await store.close();
  }
}
