/**
 * `mde-partner report --monthly --email-to …` through the real binary, to a real SMTP server on
 * 127.0.0.1 that requires STARTTLS and a login (smtp-server, certificate made by openssl for the
 * run): each customer's report arrives once as an attachment, byte for byte the file in the
 * folder, to every recipient; a wrong password sends nothing and the next run sends what is due;
 * a server without STARTTLS gets nothing; the password never shows in output or the markers.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SMTPServer } from "smtp-server";
import { type CliHome, emulatorHome, type EmulatorWorld, servedEmulator, tempDir } from "./helpers.js";

const PASSWORD = "smtp-pass-7d1f";

interface Mail {
  to: string[];
  user: string | undefined;
  secure: boolean;
  raw: string;
}

/** SMTP on 127.0.0.1: STARTTLS and AUTH required (user `reports`), unless `plain` (no STARTTLS; AUTH in the clear allowed). */
async function smtpReceiver(cert: { cert: string; key: string }, plain = false) {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    key: cert.key,
    cert: cert.cert,
    logger: false,
    // "plain": STARTTLS refused, and a login in the clear accepted — what the client must not use.
    ...(plain ? { disabledCommands: ["STARTTLS"] } : {}),
    authOptional: plain,
    allowInsecureAuth: plain,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? "");
      if (auth.username === "reports" && auth.password === PASSWORD) callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => {
        raw += c.toString("utf8");
      });
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, secure: session.secure, raw });
        callback();
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  return { port: (server.server.address() as AddressInfo).port, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The attachment named `filename` in a raw MIME message, decoded. */
function attachment(raw: string, filename: string): { type: string; bytes: Buffer } | undefined {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  if (!boundary) return undefined;
  for (const part of raw.split(`--${boundary}`)) {
    const [head = "", ...rest] = part.split(/\r?\n\r?\n/);
    const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
    if (!/Content-Disposition: attachment/i.test(unfolded) || !unfolded.includes(`filename=${filename}`) && !unfolded.includes(`filename="${filename}"`)) continue;
    const body = rest.join("\n\n");
    const encoding = /Content-Transfer-Encoding: (\S+)/i.exec(unfolded)?.[1]?.toLowerCase();
    const type = /Content-Type: ([^;\r\n]+)/i.exec(unfolded)?.[1] ?? "";
    if (encoding === "base64") return { type, bytes: Buffer.from(body.replace(/\s+/g, ""), "base64") };
    if (encoding === "quoted-printable")
      return {
        type,
        bytes: Buffer.from(
          body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          "latin1",
        ),
      };
    return { type, bytes: Buffer.from(body.replace(/\r?\n$/, "")) };
  }
  return undefined;
}

describe("mde-partner report --monthly --email-to", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let certDir: string;
  let cert: { cert: string; key: string; certFile: string };
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  const home = tempDir("mde-cli-report-mail-");
  const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const mailArgs = (port: number) => ["--email-to", "soc@customer.test,lead@customer.test", "--smtp", `127.0.0.1:${port}`, "--smtp-user", "reports", "--smtp-password-env", "REPORT_SMTP_PASSWORD", "--smtp-from", "reports@partner.test", "--ca-file", cert.certFile];

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), "mde-report-mail-cert-"));
    const certFile = join(certDir, "cert.pem");
    const keyFile = join(certDir, "key.pem");
    const r = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", keyFile, "-out", certFile],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    cert = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile };
    smtp = await smtpReceiver(cert);
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 6, machinesPerTenant: 2, seed: 1818 });
    const [a, b] = world.info.tenants;
    cli = await emulatorHome(world.info, { home, tenants: [{ id: a!.id, name: "Contoso" }, { id: b!.id, name: "Fabrikam" }] });
    await cli.ok(["sync", "--once"]);
  });
  after(async () => {
    await smtp?.close();
    await world?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it("mails each customer's report once, as an attachment equal to the file, over STARTTLS with the login", async () => {
    const dir = tempDir("mde-cli-report-mail-out-");
    // A wrong password: the reports are written, nothing is sent, the run says so (exit 3: partly done).
    const wrong = await cli.expect(3, ["report", "--monthly", "--out-dir", dir, ...mailArgs(smtp.port)], { env: { REPORT_SMTP_PASSWORD: "not-it" } });
    assert.match(wrong.stderr, /mailing the report for Contoso failed: SMTP: EAUTH/);
    assert.equal(smtp.mails.length, 0);
    assert.deepEqual(readdirSync(dir).sort(), [`Contoso-${month}.html`, `Fabrikam-${month}.html`], "the reports are written, no marker");

    // The next run sends what was not sent.
    const run = await cli.ok(["report", "--monthly", "--out-dir", dir, ...mailArgs(smtp.port)], { env: { REPORT_SMTP_PASSWORD: PASSWORD } });
    assert.match(run.stderr, new RegExp(`mailed .*Contoso-${month}\\.html to soc@customer\\.test, lead@customer\\.test`));
    assert.equal(smtp.mails.length, 2, "one mail per customer");
    for (const name of ["Contoso", "Fabrikam"]) {
      const file = `${name}-${month}.html`;
      const mail = smtp.mails.find((m) => m.raw.includes(file));
      assert.ok(mail, `${file} arrived`);
      assert.deepEqual(mail.to.sort(), ["lead@customer.test", "soc@customer.test"]);
      assert.equal(mail.secure, true, "STARTTLS was used");
      assert.equal(mail.user, "reports");
      assert.match(mail.raw, new RegExp(`Subject: Security report: ${name} — |Subject: =\\?UTF-8\\?`));
      const att = attachment(mail.raw, file);
      assert.ok(att, `${file} is attached`);
      assert.equal(att.type, "text/html");
      assert.ok(att.bytes.equals(readFileSync(join(dir, file))), "the attachment is the file, byte for byte");
      assert.ok(existsSync(join(dir, `.${file}.sent`)), "a marker remembers the send");
      assert.ok(!readFileSync(join(dir, `.${file}.sent`), "utf8").includes(PASSWORD));
    }
    for (const r of [wrong, run]) assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD) && !`${r.stdout}${r.stderr}`.includes("not-it"), "no password in the output");

    // Sent once: a third run sends nothing.
    const again = await cli.ok(["report", "--monthly", "--out-dir", dir, ...mailArgs(smtp.port)], { env: { REPORT_SMTP_PASSWORD: PASSWORD } });
    assert.doesNotMatch(again.stderr, /mailed/);
    assert.equal(smtp.mails.length, 2);
  });

  it("sends nothing, and no password, to a server that refuses STARTTLS", async () => {
    const plain = await smtpReceiver(cert, true);
    try {
      const dir = tempDir("mde-cli-report-mail-plain-");
      const run = await cli.expect(3, ["report", "--monthly", "--out-dir", dir, "--tenant", world.info.tenants[0]!.id, ...mailArgs(plain.port)], { env: { REPORT_SMTP_PASSWORD: PASSWORD } });
      assert.match(run.stderr, /mailing the report for Contoso failed: SMTP: /);
      assert.equal(plain.mails.length, 0, "nothing went over a connection without TLS");
      assert.deepEqual(plain.logins, [], "no login was tried in the clear");
      assert.equal(existsSync(join(dir, `.Contoso-${month}.html.sent`)), false);
    } finally {
      await plain.close();
    }
  });

  it("refuses incomplete mail flags before writing anything (exit 2)", async () => {
    const dir = tempDir("mde-cli-report-mail-bad-");
    const usage = async (args: string[], pattern: RegExp, env: Record<string, string | undefined> = { REPORT_SMTP_PASSWORD: PASSWORD }) => {
      const r = await cli.expect(2, ["report", "--monthly", "--out-dir", dir, ...args], { env });
      assert.match(r.stderr, pattern);
    };
    await usage(["--smtp", "127.0.0.1:25"], /the SMTP flags go with --email-to/);
    await usage(["--email-to", "soc@customer.test"], /--smtp HOST:PORT/);
    await usage(["--email-to", "not-an-address", "--smtp", "127.0.0.1:25", "--smtp-from", "r@p.test"], /recipient address/);
    await usage(["--email-to", "soc@customer.test", "--smtp", "127.0.0.1:25"], /--smtp-from/);
    await usage(mailArgs(smtp.port), /REPORT_SMTP_PASSWORD .* is not set/, { REPORT_SMTP_PASSWORD: undefined });
    assert.deepEqual(readdirSync(dir), [], "nothing written");
    const single = await cli.expect(2, ["report", "--tenant", world.info.tenants[0]!.id, "--from", "2026-11-01", "--to", "2026-11-30", "--out", join(dir, "x.html"), "--email-to", "soc@customer.test"]);
    assert.match(single.stderr, /go with --monthly/);
  });
});
