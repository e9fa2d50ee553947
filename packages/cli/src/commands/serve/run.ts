/**
 * `mde-partner serve`: the partner console (@mde-partner/server) over the
 * configured partner app and store. HTTPS by default, with the operator's
 * certificate (`--cert/--key`) or one generated once into MDE_PARTNER_HOME;
 * plain HTTP only on a loopback address. Runs until SIGINT/SIGTERM, then stops
 * cleanly (exit 0).
 */
import { join } from "node:path";
import { checkRedirectUri, isLoopbackHost } from "@mde-partner/client";
import { type ApprovalOptions, createOneTimeLogin, readUsers, spkiHash } from "@mde-partner/server";
import { parseDuration } from "../../duration.js";
import { DEFAULT_REQUIRED_PERMISSIONS, loadConfig, resolveCredential } from "../../config.js";
import { type ConsoleCertificate, homeCertificate, readGivenCertificate } from "../../console-certificate.js";
import { CONSOLE_USERS_FILE } from "../../console-files.js";
import { consoleUrl, startConsoleHost } from "../../console-host.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { findFreePort } from "../../free-port.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { openCliStore } from "../../partner.js";
import { untilStopped } from "../../signals.js";
import { resolveSso, type SsoFlags } from "../../sso-config.js";
import { resolveWebhook, startConfiguredWebhook, webhookPassLine } from "../../webhook-config.js";
import { createCliNotifier, startNotifier } from "../notify/running.js";

export interface ServeOptions extends OutputOptions, SsoFlags {
  port?: string;
  host?: string;
  http?: boolean;
  cert?: string;
  key?: string;
  db?: string;
  consentRedirectUri?: string;
  oneTimeLogin?: boolean;
  approvalThreshold?: string;
  approvalTtl?: string;
}

/** `--approval-threshold` and `--approval-ttl` as the console's approval options (bad values: exit 2). */
function approvalOptions(options: ServeOptions): ApprovalOptions {
  const out: { wideActionThreshold?: number; ttlMs?: number } = {};
  if (options.approvalThreshold !== undefined) out.wideActionThreshold = parseCount("--approval-threshold", String(options.approvalThreshold).trim(), { max: 100_000 });
  if (options.approvalTtl !== undefined) out.ttlMs = parseDuration("--approval-ttl", options.approvalTtl, { minMs: 60_000, maxMs: 30 * 86_400_000 });
  return out;
}

const CALLBACK_PATH = "/consent/callback";


function isCallback(value: string | undefined): value is string {
  if (value === undefined) return false;
  try {
    return new URL(value).pathname === CALLBACK_PATH;
  } catch {
    return false;
  }
}

function checkCallback(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${flag} must be an absolute URL, got ${JSON.stringify(value.slice(0, 80))}`);
  }
  if (url.pathname !== CALLBACK_PATH) throw usageError(`${flag} must be the console's ${CALLBACK_PATH} URL, got ${url.pathname}`);
  try {
    return checkRedirectUri(url.toString()); // the client's rule: https, http only to localhost/loopback
  } catch (error) {
    throw usageError(`${flag}: ${(error as Error).message}`, "Entra ID accepts http redirect URIs for localhost only");
  }
}

/** Starts the console; resolves with the exit code once a signal (or `signal`) stopped it. */
export async function runServe(options: ServeOptions, ctx: CommandContext, signal?: AbortSignal): Promise<number> {
  const out = createOutput(ctx.io, options);
  // Every input is checked before anything is read or written.
  const host = (options.host ?? "127.0.0.1").trim();
  if (host === "") throw usageError("--host must not be empty");
  const http = options.http === true;
  if (http && (options.cert !== undefined || options.key !== undefined))
    throw usageError("--http serves no certificate: leave out --cert/--key");
  if ((options.cert === undefined) !== (options.key === undefined)) throw usageError("--cert and --key go together");
  if (http && !isLoopbackHost(host)) {
    throw usageError(
      `--http is only allowed on a loopback address, not ${host}`,
      "serve HTTPS (the default; a certificate is generated once) or use --host 127.0.0.1",
    );
  }
  const port = options.port === undefined ? (http ? 8080 : 8443) : parseCount("--port", options.port, { max: 65_535 });
  const approvals = approvalOptions(options);
  const explicitCallback =
    options.consentRedirectUri !== undefined ? checkCallback("--consent-redirect-uri", options.consentRedirectUri) : undefined;
  const config = loadConfig(ctx.home);
  resolveCredential(config, ctx.io.env); // an unset secret variable is bad input, found before anything starts
  if (config.webhook) resolveWebhook(config.webhook, ctx.io.env); // the webhook's too

  const given = options.cert !== undefined && options.key !== undefined ? readGivenCertificate(options.cert, options.key, host) : undefined;
  const store = await openCliStore(options.db ?? config.storeUrl);
  try {
    const certificate: ConsoleCertificate | undefined = http ? undefined : (given ?? (await homeCertificate(ctx.home, host)));
    const listenPort = port === 0 ? await findFreePort(host) : port;
    const ownCallback = `${consoleUrl(host, listenPort, !http)}${CALLBACK_PATH}`;
    // The configuration's redirect URI counts when it is a console callback: this console's own, or one
    // under a public name (a proxy in front). A loopback one on another origin is some other listener.
    const configured =
      isCallback(config.consentRedirectUri) &&
      (new URL(config.consentRedirectUri).origin === new URL(ownCallback).origin ||
        !isLoopbackHost(new URL(config.consentRedirectUri).hostname))
        ? config.consentRedirectUri
        : undefined;
    const consentRedirectUri = explicitCallback ?? configured ?? ownCallback;
    const sso = resolveSso(config, options, ctx.io.env, consentRedirectUri);
    const usersFile = join(ctx.home, CONSOLE_USERS_FILE);
    // One rule engine: its passes below, and the Notifications page's test button.
    const notifier = createCliNotifier(store, ctx.io.env);
    const running = await startConsoleHost(
      {
        config,
        store,
        host,
        port: listenPort,
        tls: certificate ? { certPem: certificate.certPem, keyPem: certificate.keyPem } : false,
        consentRedirectUri,
        usersFile,
        requiredPermissions: config.permissions ?? DEFAULT_REQUIRED_PERMISSIONS,
        ...(sso ? { sso } : {}),
        approvals,
        notifier,
      },
      ctx,
    );
    try {
      const oneTime = options.oneTimeLogin ? createOneTimeLogin(running.console) : undefined;
      const spki = certificate ? spkiHash(certificate.certPem) : undefined;
      if (out.mode !== "table") {
        out.record({
          url: running.url,
          consentRedirectUri,
          usersFile,
          ...(sso ? { sso: { issuer: sso.issuer, clientId: sso.clientId, redirectUri: sso.redirectUri, localAccounts: sso.localAccounts } } : {}),
          ...(certificate ? { certificateFile: certificate.certificateFile, certificate: certificate.origin, spkiSha256: spki } : {}),
          ...(oneTime ? { oneTimeLogin: oneTime } : {}),
        });
      } else {
        const p = out.palette;
        ctx.io.stdout.write(`${p.bold("mde-partner console")} ${running.url}\n`);
        if (certificate) {
          const what = { generated: "self-signed, generated now", reused: "self-signed", given: "yours" }[certificate.origin];
          ctx.io.stdout.write(`  certificate  ${certificate.certificateFile} (${what}; SPKI sha256 ${spki})\n`);
        }
        ctx.io.stdout.write(`  consent      ${consentRedirectUri}\n`);
        if (sso) ctx.io.stdout.write(`  sign-in      Entra ID ${sso.issuer} (callback ${sso.redirectUri})${sso.localAccounts === false ? "; local accounts off" : ""}\n`);
        if (oneTime) ctx.io.stdout.write(`  sign in once ${oneTime}\n`);
      }
      out.note(
        `hint: ${consentRedirectUri} must be a registered Web redirect URI of the app ${config.clientId} ` +
          "(App registrations > Authentication)",
      );
      if (certificate?.hostMismatch)
        out.warn(`the certificate ${certificate.certificateFile} does not name ${host}: browsers will refuse it`);
      if (configured && !explicitCallback) out.note(`consent responses go to ${configured} (the configured consentRedirectUri)`);
      else if (config.consentRedirectUri && !explicitCallback && config.consentRedirectUri !== consentRedirectUri)
        out.note(`the configured consentRedirectUri ${config.consentRedirectUri} is not this console's; it uses its own`);
      const operators = await readUsers(usersFile).catch((error: Error) => {
        out.warn(`cannot read ${usersFile}: ${error.message}`);
        return undefined;
      });
      if (sso) out.note(`hint: ${sso.redirectUri} must be a registered Web redirect URI of the console's app ${sso.clientId}`);
      // Entra ID's v2.0 ID tokens carry no `amr` (MicrosoftDocs/azure-docs#85021): the check would refuse everyone.
      if (sso?.requireMfa && /(^|\.)login\.microsoftonline\.(com|us)$/i.test(new URL(sso.issuer).hostname)) {
        out.warn(
          "--sso-require-mfa checks the ID token's amr claim, which Entra ID's v2.0 ID tokens leave out: every sign-in will be refused. " +
            "Require MFA with a Conditional Access policy on the console's app instead.",
        );
      }
      if (operators?.length === 0 && !oneTime && !sso) {
        out.warn("nobody can sign in yet: add an operator with mde-partner users add <name> --role admin");
      }
      // Alerts the console syncs (and any other writer of this store) go to the configured webhook.
      const webhook = startConfiguredWebhook(config.webhook, ctx.io.env, store, (r) => out.note(webhookPassLine(r)));
      if (webhook) out.note(`forwarding new alerts to the webhook every ${config.webhook?.intervalSec ?? 10}s`);
      const notifying = startNotifier(store, ctx.io.env, (line) => out.note(line), notifier);
      // Listening for the signal before saying so: a SIGTERM sent on seeing the line must not find the default action.
      const stopped = untilStopped(signal);
      out.note("press Ctrl+C to stop");
      try {
        await stopped;
      } finally {
        await webhook?.stop();
        await notifying.stop();
      }
      out.note("stopping the console");
    } finally {
      await running.close();
    }
  } finally {
    await store.close();
  }
  return EXIT.ok;
}
