/**
 * The demo's last part (without `--no-serve`): the emulator turns live (new and
 * changed alerts every few seconds), the store keeps syncing, and the partner
 * console runs over that store on 127.0.0.1 with a self-signed certificate, a
 * one-time sign-in link and a demo operator whose password only the terminal
 * shows (to sign in again after signing out), and sign-in with the emulated
 * Entra ID (its partner tenant's users) — until Ctrl+C, which stops
 * everything cleanly.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator, EmulatorInfo } from "@mde-partner/emulator";
import { addUser, createOneTimeLogin, createSelfSignedCertificate, spkiHash } from "@mde-partner/server";
import { openStore, syncWatch } from "@mde-partner/sync";
import type { PartnerConfig } from "../../config.js";
import { CONSOLE_CERT_FILE, CONSOLE_USERS_FILE } from "../../console-files.js";
import { consoleUrl, startConsoleHost } from "../../console-host.js";
import type { CommandContext } from "../../context.js";
import { findFreePort } from "../../free-port.js";
import type { Palette } from "../../output/color.js";
import { untilStopped } from "../../signals.js";

export interface DemoLiveOptions {
  readonly emulator: Emulator;
  readonly info: EmulatorInfo;
  readonly config: PartnerConfig;
  /** The demo's temporary home (the store, the console's certificate and users file). */
  readonly home: string;
  readonly intervalMs: number;
  readonly intervalText: string;
  readonly requiredPermissions: readonly string[];
  readonly palette: Palette;
  say(text: string): void;
}

const HOST = "127.0.0.1";
/** The demo console's operator, for signing in again after the one-time link is used. */
const DEMO_OPERATOR = "demo";

export async function runDemoLive(options: DemoLiveOptions, ctx: CommandContext): Promise<void> {
  const { emulator, info, config, home, palette: p, say } = options;
  emulator.control.startLive({ intervalMs: Math.max(1000, Math.floor(options.intervalMs / 2)), newAlerts: 2, updatedAlerts: 2 });
  const store = await openStore({ url: config.storeUrl });
  try {
    // The emulator already listens, so the port picked here cannot be its own.
    const port = await findFreePort(HOST);
    const url = consoleUrl(HOST, port, true);
    const callback = `${url}/consent/callback`;
    const ssoCallback = `${url}/login/sso/callback`;
    // Onboarding and signing in from the console only work when their callbacks are registered redirect URIs of the app (AADSTS50011 otherwise).
    emulator.control.updateApp(info.partnerApp.clientId, { redirectUris: [callback, ssoCallback] });
    const tls = await createSelfSignedCertificate([HOST]);
    const certificateFile = join(home, CONSOLE_CERT_FILE);
    const usersFile = join(home, CONSOLE_USERS_FILE);
    writeFileSync(certificateFile, tls.certPem, { mode: 0o600 });
    chmodSync(certificateFile, 0o600);
    const running = await startConsoleHost(
      {
        config,
        store,
        host: HOST,
        port,
        tls,
        consentRedirectUri: callback,
        usersFile,
        requiredPermissions: options.requiredPermissions,
        // Sign-in with the emulated Entra ID: its partner tenant's people, the partner app as the console's app.
        sso: {
          issuer: `${info.loginUrl}/${info.partnerTenantId}/v2.0`,
          clientId: info.partnerApp.clientId,
          clientSecret: info.partnerApp.clientSecret,
          redirectUri: ssoCallback,
        },
      },
      ctx,
    );
    try {
      // A customer not onboarded yet, to try onboarding by admin consent in the console.
      const fresh = emulator.addTenant({ name: "Coho Winery", consented: false, alerts: 30, machines: 5 });
      say(`console       ${p.bold(running.url)}`);
      say(`sign in once  ${createOneTimeLogin(running.console)}`);
      // The link works once: after signing out, this operator (only this terminal shows its password) gets back in.
      const password = randomBytes(18).toString("base64url");
      await addUser(usersFile, { name: DEMO_OPERATOR, password, role: "admin" });
      say(`sign in again user ${DEMO_OPERATOR}, password ${password} (an admin of this demo's console)`);
      const ssoAdmin = info.partnerUsers.find((u) => u.roles.includes("Console.Admin"));
      if (ssoAdmin) say(`or "Sign in with Microsoft" as ${ssoAdmin.username}, password ${ssoAdmin.password} (an emulated Entra ID user)`);
      say(p.dim(`certificate   ${certificateFile} (self-signed: accept the browser's warning, or trust SPKI ${spkiHash(tls.certPem)})`));
      say(`onboard ${fresh.name} (tenant ${fresh.id}) from Tenants > Add a customer: its consent page comes back to ${callback}`);
      say(`emulator ${info.loginUrl} (CA ${info.caCertFile}; control API ${info.controlUrl})`);
      say(`try in another shell: MDE_PARTNER_HOME=${home} npx mde-partner alerts list --top 5`);
      const stopped = untilStopped(); // before saying so: a SIGTERM sent on seeing the line must not find the default action
      say(`syncing every ${options.intervalText}; press Ctrl+C to stop`);
      const watch = syncWatch({
        store,
        partner: running.partner,
        intervalMs: options.intervalMs,
        onReport: (report) => {
          const inserted = report.tenants.reduce((n, r) => n + r.alerts.inserted, 0);
          const updated = report.tenants.reduce((n, r) => n + r.alerts.updated, 0);
          say(`${report.finishedAt.slice(11, 19)}  synced ${report.tenants.length} tenants: ${inserted} new, ${updated} updated alerts`);
        },
      });
      await stopped;
      say("stopping");
      await watch.stop();
    } finally {
      await running.close();
    }
  } finally {
    emulator.control.stopLive();
    await store.close();
  }
}
