// Sign-in with Entra ID, end to end without a browser: the console in-process,
// the emulator's Entra ID over real HTTPS (trusted through the partner client's
// cloud CA, the same place the client's custom cloud gets it), and a scripted
// user who follows the redirects, fills in the emulator's sign-in page and
// comes back to the console. Then the ways a sign-in must fail: a callback of
// another browser or with another state, a tampered nonce, an ID token for
// another app or from another issuer, an expired one, a user without a role,
// a wrong password, and no MFA where the console requires it.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { createDefaultFetch, type FetchLike, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import type { EmulatorInfo, PartnerUserInfo } from "@mde-partner/emulator";
import { addUser, type ConsoleOptions, createConsole, createSelfSignedCertificate, type PartnerConsole } from "@mde-partner/server";
import { openStore, type Store } from "@mde-partner/sync";
import { type EmulatorWorld, emulatorWorld, partnerFor, removeTemp, servedEmulator, tempDir } from "@mde-partner/test-kit";
import { Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { Agent, REQUIRED } from "./support.js";

const ORIGIN = "https://console.test";
const REDIRECT = `${ORIGIN}/login/sso/callback`;

/** A browser on the emulator's pages: real HTTPS trusting only the emulator's CA, its own cookies. */
class EntraBrowser {
  readonly cookies = new Map<string, string>();
  private readonly dispatcher: UndiciAgent;
  constructor(ca: string) {
    this.dispatcher = new UndiciAgent({ connect: { ca } });
  }
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await undiciFetch(url, {
      dispatcher: this.dispatcher,
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      redirect: "manual",
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get("location"), text: await res.text() };
  }
  close() {
    return this.dispatcher.close();
  }
}

/** The emulator's sign-in form: where it posts and its flow token. */
function signInForm(html: string, base: string): { action: string; flowToken: string } {
  const flowToken = /name="flowToken" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  assert.ok(flowToken && action, "the emulator shows its sign-in form");
  return { action: new URL(action.replace(/&amp;/g, "&"), base).toString(), flowToken };
}

let world: EmulatorWorld;
let info: EmulatorInfo;
let partner: PartnerClient<PartnerTenant>;
let store: Store;
let dir: string;
let usersFile: string;
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs };
/** Replaces the ID token of the token endpoint's answer (the tamper tests). */
let swapIdToken: ((genuine: string) => string) | undefined;
let ownFetch: ReturnType<typeof createDefaultFetch>;
const consoles: PartnerConsole[] = [];

const user = (local: string): PartnerUserInfo => {
  const found = info.partnerUsers.find((u) => u.username.startsWith(`${local}@`));
  assert.ok(found, `the emulator has a user ${local}`);
  return found;
};

function consoleWith(sso: Partial<NonNullable<ConsoleOptions["sso"]>> = {}, extra: Partial<ConsoleOptions> = {}): PartnerConsole {
  const c = createConsole({
    store,
    partner,
    requiredPermissions: REQUIRED,
    consentRedirectUri: `${ORIGIN}/consent/callback`,
    usersFile,
    tls: false,
    port: 0,
    clock,
    sso: {
      issuer: `${info.loginUrl}/${info.partnerTenantId}/v2.0`,
      clientId: info.partnerApp.clientId,
      ...(sso.clientCertificate ? {} : { clientSecret: info.partnerApp.clientSecret }),
      redirectUri: REDIRECT,
      ...sso,
    },
    ...extra,
  });
  consoles.push(c);
  return c;
}

/** Starts a sign-in at the console: the authorize URL it sends the browser to. */
async function start(agent: Agent): Promise<URL> {
  const res = await agent.request("/login/sso?next=/alerts");
  assert.equal(res.status, 302, await res.text());
  return new URL(res.headers.get("location") ?? "");
}

/** The user signs in on the emulator's page; returns where the emulator sends the browser (the console's callback). */
async function signInAtEntra(authorize: URL, who: { username: string; password: string }): Promise<string> {
  const entra = new EntraBrowser(world.ca);
  try {
    const page = await entra.request(authorize.toString());
    assert.equal(page.status, 200, page.text);
    const form = signInForm(page.text, info.loginUrl);
    const done = await entra.request(form.action, { form: { flowToken: form.flowToken, login: who.username, passwd: who.password } });
    assert.equal(done.status, 302, done.text);
    assert.ok(done.location?.startsWith(REDIRECT), `the emulator answers to the console's callback, not ${done.location}`);
    return done.location;
  } finally {
    await entra.close();
  }
}

/** A whole sign-in; returns the console's answer to the callback. */
async function signIn(agent: Agent, who: { username: string; password: string }): Promise<Response> {
  return agent.request(await signInAtEntra(await start(agent), who));
}

const otherRsaKey = () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const refusal = async (res: Response) => (await res.text()).replace(/&#39;/g, "'").replace(/&#34;/g, '"');

async function lastSignInAudit() {
  const entries = await store.queryAudit({});
  return entries.filter((e) => e.action === "operator.sign-in").sort((a, b) => b.id - a.id)[0];
}

before(async () => {
  dir = tempDir("mde-console-sso-");
  world = await servedEmulator({ seed: "console-sso", tenants: [{ name: "Contoso" }], alertsPerTenant: 3, machinesPerTenant: 2, redirectUris: [REDIRECT] });
  info = world.info;
  partner = partnerFor(world);
  store = await openStore({ url: ":memory:" });
  await store.upsertTenant({ id: info.tenants[0]!.id, name: "Contoso", initialState: "consented" });
  usersFile = `${dir}/users.json`;
  await addUser(usersFile, { name: "breakglass", password: "break-glass-password-1", role: "admin" });
  ownFetch = createDefaultFetch({ ca: world.ca });
});

after(async () => {
  for (const c of consoles) await c.stop();
  await ownFetch?.close();
  await store?.close();
  await world?.stop();
  removeTemp(dir);
});

describe("sign-in with Entra ID", () => {
  it("sends the browser to the authorize endpoint with PKCE S256, state and nonce, and nothing of them in the browser but a random cookie", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    const login = await agent.request("/login");
    const page = await login.text();
    assert.match(page, /Sign in with Microsoft/);
    assert.match(page, /id="login-form"/, "the local accounts stay as break-glass by default");
    const url = await start(agent);
    assert.equal(`${url.origin}${url.pathname}`, `${info.loginUrl}/${info.partnerTenantId}/oauth2/v2.0/authorize`);
    const q = url.searchParams;
    assert.equal(q.get("client_id"), info.partnerApp.clientId);
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("redirect_uri"), REDIRECT);
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get("state") ?? "").length >= 32 && (q.get("nonce") ?? "").length >= 32);
    assert.match(q.get("scope") ?? "", /\bopenid\b/);
    const cookies = [...agent.cookies.values()].join(" ");
    for (const secret of [q.get("state")!, q.get("nonce")!]) assert.ok(!cookies.includes(secret), "state and nonce stay on the server");
  });

  it("signs an admin in: lands where it was going, the pages show the user and role, and the audit log says how (sso, amr)", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    const admin = user("admin");
    const res = await signIn(agent, admin);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("refresh"), "0;url=/alerts", "on to where the operator was going");
    assert.match(await res.text(), /href="\/alerts"/);
    const tenants = await agent.request("/tenants");
    assert.equal(tenants.status, 200);
    const html = await tenants.text();
    assert.ok(html.includes(admin.username), "the page names the signed-in user");
    assert.match(html, /\(admin\)/);
    const audit = await lastSignInAudit();
    assert.equal(audit?.actor, admin.username);
    assert.equal(audit?.phase, "completed");
    assert.equal(audit?.result, "admin");
    const request = audit?.request as { method?: string; amr?: string[] };
    assert.equal(request.method, "sso");
    assert.deepEqual(request.amr, ["pwd", "mfa"]);
    assert.ok(!JSON.stringify(audit).includes("eyJ"), "no token in the audit log");
  });

  it("a next path with characters beyond ASCII (a link may carry them) still signs in and moves on, percent-encoded", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    const started = await agent.request(`/login/sso?next=${encodeURIComponent("/alerts?q=M\u00fcller\u20ac")}`);
    assert.equal(started.status, 302);
    const res = await agent.request(await signInAtEntra(new URL(started.headers.get("location") ?? ""), user("viewer")));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("refresh"), "0;url=/alerts?q=M%C3%BCller%E2%82%AC");
    assert.equal((await agent.request("/tenants")).status, 200, "signed in");
  });

  it("authenticates with the app's certificate instead of a secret (a PS256 assertion naming it by x5t#S256)", async () => {
    const c = consoleWith({
      clientCertificate: {
        certificatePem: readFileSync(info.partnerApp.certificateFile, "utf8"),
        privateKeyPem: readFileSync(info.partnerApp.privateKeyFile, "utf8"),
      },
    });
    const agent = new Agent(c, ORIGIN);
    const res = await signIn(agent, user("responder"));
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(await (await agent.request("/tenants")).text(), /\(responder\)/, "signed in without any secret");

    // Entra ID takes RSA certificates only; a key of another certificate is caught before anything starts.
    const ec = await createSelfSignedCertificate(["console.test"]);
    assert.throws(() => consoleWith({ clientCertificate: { certificatePem: ec.certPem, privateKeyPem: ec.keyPem } }), /RSA key/);
    assert.throws(
      () =>
        consoleWith({
          clientCertificate: { certificatePem: readFileSync(info.partnerApp.certificateFile, "utf8"), privateKeyPem: otherRsaKey() },
        }),
      /does not belong to its certificate/,
    );
  });

  it("gives an Entra group's store grants to its members (the groups claim)", async () => {
    const viewer = user("viewer");
    const analysts = info.partnerGroups.find((g) => g.displayName === "SOC Analysts")!;
    assert.ok(viewer.groups.includes(analysts.id));
    await store.putGrant({ principalKind: "entra-group", principal: analysts.id, role: "responder", group: null }, "test");
    try {
      const agent = new Agent(consoleWith(), ORIGIN);
      assert.equal((await signIn(agent, viewer)).status, 200);
      assert.match(await (await agent.request("/tenants")).text(), /\(responder\)/, "Console.Viewer plus the group's responder grant");
    } finally {
      await store.removeGrant({ principalKind: "entra-group", principal: analysts.id, group: null });
    }
  });

  it("applies no group grants when Entra ID leaves the groups out (over 200 groups), and says so in the audit entry", async () => {
    const analysts = info.partnerGroups.find((g) => g.displayName === "SOC Analysts")!;
    const many = [analysts.id, ...Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`)];
    const crowded = world.emulator.control.putUser(`crowded@${user("admin").username.split("@")[1]}`, {
      password: "crowded-password-1",
      roles: ["Console.Viewer"],
      groups: many,
    });
    await store.putGrant({ principalKind: "entra-group", principal: analysts.id, role: "admin", group: null }, "test");
    try {
      const agent = new Agent(consoleWith(), ORIGIN);
      assert.equal((await signIn(agent, { username: crowded.username, password: "crowded-password-1" })).status, 200);
      assert.match(await (await agent.request("/tenants")).text(), /\(viewer\)/, "the app role only: the group's admin grant is not known");
      const audit = await lastSignInAudit();
      assert.equal(audit?.actor, crowded.username);
      assert.deepEqual((audit?.request as { groups?: number; groupsOverage?: boolean }).groupsOverage, true);
    } finally {
      await store.removeGrant({ principalKind: "entra-group", principal: analysts.id, group: null });
      world.emulator.control.removeUser(crowded.username);
    }
  });

  it("refuses a callback with another state, one in another browser, and one used twice", async () => {
    const c = consoleWith();
    const agent = new Agent(c, ORIGIN);
    const callback = new URL(await signInAtEntra(await start(agent), user("admin")));

    const stranger = new Agent(c, ORIGIN);
    const foreign = await stranger.request(callback.toString());
    assert.equal(foreign.status, 400);
    assert.match(await refusal(foreign), /not started in this browser/);

    const otherState = new URL(callback);
    otherState.searchParams.set("state", "x".repeat(43));
    const mismatch = await agent.request(otherState.toString());
    assert.equal(mismatch.status, 401);
    assert.match(await refusal(mismatch), /does not belong to the sign-in this browser started/);
    assert.equal((await agent.request("/tenants")).status, 302, "not signed in");

    // The sign-in it started is used up by that attempt: the genuine callback is refused too.
    const again = await agent.request(callback.toString());
    assert.equal(again.status, 400);
    assert.equal((await agent.request("/tenants")).status, 302);
  });

  it("gives a started sign-in 10 minutes, and sends the operator only to the console's own pages afterwards", async () => {
    const c = consoleWith();
    const late = new Agent(c, ORIGIN);
    const callback = await signInAtEntra(await start(late), user("admin"));
    offsetMs = 11 * 60_000;
    try {
      const res = await late.request(callback);
      assert.equal(res.status, 400);
      assert.match(await refusal(res), /has expired \(10 minutes\)/);
    } finally {
      offsetMs = 0;
    }

    const agent = new Agent(c, ORIGIN);
    const res = await agent.request("/login/sso?next=//evil.example/steal");
    const back = await agent.request(await signInAtEntra(new URL(res.headers.get("location") ?? ""), user("admin")));
    assert.equal(back.status, 200);
    assert.equal(back.headers.get("refresh"), "0;url=/overview");
  });

  it("refuses an ID token whose nonce is not the one this sign-in sent (tampered authorize request)", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    const authorize = await start(agent);
    authorize.searchParams.set("nonce", "n".repeat(43));
    const res = await agent.request(await signInAtEntra(authorize, user("admin")));
    assert.equal(res.status, 401);
    assert.match(await refusal(res), /not valid for this console/);
    assert.equal((await agent.request("/tenants")).status, 302);
    const audit = await lastSignInAudit();
    assert.equal(audit?.phase, "failed");
    assert.match(audit?.result ?? "", /sso\.id-token.*nonce/);
  });

  it("refuses a genuine ID token for another app (aud), one from another issuer (iss), and one altered after signing", async () => {
    // The console's token answers pass through this fetch, which swaps in a given ID token.
    const swapping: FetchLike = async (input, init) => {
      const res = await ownFetch.fetch(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (!swapIdToken || !url.endsWith("/oauth2/v2.0/token") || res.status !== 200) return res;
      const body = (await res.json()) as Record<string, unknown>;
      const id_token = swapIdToken(String(body.id_token));
      return new Response(JSON.stringify({ ...body, id_token }), { status: 200, headers: { "content-type": "application/json" } });
    };
    const c = consoleWith({ fetch: swapping });

    /** A real ID token of `clientId` at `login` (a code flow with the console's nonce), signed by that issuer. */
    const idTokenFor = async (where: { loginUrl: string; tenant: string; clientId: string; secret: string; fetch: FetchLike; entra: (url: string, form?: Record<string, string>) => Promise<{ status: number; location: string | null; text: string }> }, nonce: string) => {
      const authorize = new URL(`${where.loginUrl}/${where.tenant}/oauth2/v2.0/authorize`);
      const q = authorize.searchParams;
      q.set("client_id", where.clientId);
      q.set("response_type", "code");
      q.set("redirect_uri", REDIRECT);
      q.set("scope", "openid profile");
      q.set("nonce", nonce);
      q.set("state", "s");
      const page = await where.entra(authorize.toString());
      const form = signInForm(page.text, where.loginUrl);
      const admin = where.loginUrl === info.loginUrl ? user("admin") : other.info.partnerUsers[0]!;
      const done = await where.entra(form.action, { flowToken: form.flowToken, login: admin.username, passwd: admin.password });
      const code = new URL(done.location ?? "").searchParams.get("code");
      assert.ok(code, done.text);
      const token = await where.fetch(`${where.loginUrl}/${where.tenant}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: where.clientId, client_secret: where.secret }).toString(),
      });
      const json = (await token.json()) as { id_token?: string };
      assert.ok(json.id_token, JSON.stringify(json));
      return json.id_token;
    };

    // Another app of the same tenant: same issuer and keys, another audience.
    const second = world.emulator.control.addApp({ displayName: "Another app", redirectUris: [REDIRECT] });
    const entra = new EntraBrowser(world.ca);
    // A second Entra ID (another emulator, in-process): another issuer and other keys.
    const other = await emulatorWorld({ seed: "console-sso-other", tenants: 1, alertsPerTenant: 1, machinesPerTenant: 1, redirectUris: [REDIRECT] });
    const otherJar = new Map<string, string>();
    const otherEntra = async (url: string, form?: Record<string, string>) => {
      const headers: Record<string, string> = {};
      if (otherJar.size) headers.cookie = [...otherJar].map(([k, v]) => `${k}=${v}`).join("; ");
      if (form) headers["content-type"] = "application/x-www-form-urlencoded";
      const res = await other.emulator.fetch(url, { method: form ? "POST" : "GET", headers, redirect: "manual", ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
      for (const line of res.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        otherJar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
      }
      return { status: res.status, location: res.headers.get("location"), text: await res.text() };
    };
    try {
      const cases = [
        {
          claim: "aud",
          where: {
            loginUrl: info.loginUrl,
            tenant: info.partnerTenantId,
            clientId: second.clientId,
            secret: second.clientSecret,
            fetch: ownFetch.fetch,
            entra: (url: string, form?: Record<string, string>) => entra.request(url, form ? { form } : {}),
          },
        },
        {
          claim: "iss",
          where: {
            loginUrl: other.info.loginUrl,
            tenant: other.info.partnerTenantId,
            clientId: other.info.partnerApp.clientId,
            secret: other.info.partnerApp.clientSecret,
            fetch: other.emulator.fetch as FetchLike,
            entra: otherEntra,
          },
        },
      ];
      for (const { claim, where } of cases) {
        const agent = new Agent(c, ORIGIN);
        const authorize = await start(agent);
        const substitute = await idTokenFor(where, authorize.searchParams.get("nonce")!);
        swapIdToken = () => substitute;
        const res = await agent.request(await signInAtEntra(authorize, user("admin")));
        swapIdToken = undefined;
        assert.equal(res.status, 401, `${claim}: ${await res.clone().text()}`);
        assert.match(await refusal(res), /not valid for this console/);
        assert.equal((await agent.request("/tenants")).status, 302, `${claim}: not signed in`);
        const audit = await lastSignInAudit();
        assert.equal(audit?.phase, "failed");
        assert.match(audit?.result ?? "", new RegExp(`sso\\.id-token: .*"${claim}"`), audit?.result ?? "");
      }

      // The genuine ID token of a viewer with Console.Admin written into it: its signature no longer holds.
      const agent = new Agent(c, ORIGIN);
      swapIdToken = (genuine) => {
        const [header, payload, signature] = genuine.split(".") as [string, string, string];
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
        return [header, Buffer.from(JSON.stringify({ ...claims, roles: ["Console.Admin"] })).toString("base64url"), signature].join(".");
      };
      const res = await signIn(agent, user("viewer"));
      swapIdToken = undefined;
      assert.equal(res.status, 401);
      assert.equal((await agent.request("/tenants")).status, 302, "not signed in");
      assert.match((await lastSignInAudit())?.result ?? "", /sso\.id-token: .*signature/);
    } finally {
      swapIdToken = undefined;
      await entra.close();
      await other.stop();
    }
  });

  it("refuses an expired ID token (the console's clock two hours on)", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    offsetMs = 2 * 60 * 60_000;
    try {
      const res = await signIn(agent, user("admin"));
      assert.equal(res.status, 401);
      assert.match(await refusal(res), /expired/);
      assert.equal((await agent.request("/tenants")).status, 302);
      assert.match((await lastSignInAudit())?.result ?? "", /sso\.id-token-expired/);
    } finally {
      offsetMs = 0;
    }
  });

  it("refuses a user without a console role: at Entra ID when the app requires assignment, else at the console, with an audit entry", async () => {
    const norole = user("norole");
    const agent = new Agent(consoleWith(), ORIGIN);
    // Entra ID itself refuses (AADSTS50105) and answers the callback with error=access_denied.
    const atEntra = await signInAtEntraRefused(await start(agent), norole);
    const refused = await agent.request(atEntra);
    assert.equal(refused.status, 401);
    assert.match(await refusal(refused), /did not sign you in \(access_denied\)/);

    world.emulator.control.updateApp(info.partnerApp.clientId, { appRoleAssignmentRequired: false });
    try {
      const res = await signIn(agent, norole);
      assert.equal(res.status, 403);
      const text = await refusal(res);
      assert.ok(text.includes(norole.username));
      assert.match(text, /no access to this console/);
      assert.equal((await agent.request("/tenants")).status, 302);
      const audit = await lastSignInAudit();
      assert.equal(audit?.actor, norole.username);
      assert.equal(audit?.phase, "failed");
      assert.match(audit?.result ?? "", /sso\.no-access/);
    } finally {
      world.emulator.control.updateApp(info.partnerApp.clientId, { appRoleAssignmentRequired: true });
    }
  });

  it("keeps a wrong password on the emulator's page: the console never hears of it", async () => {
    const agent = new Agent(consoleWith(), ORIGIN);
    const authorize = await start(agent);
    const entra = new EntraBrowser(world.ca);
    try {
      const page = await entra.request(authorize.toString());
      const form = signInForm(page.text, info.loginUrl);
      const wrong = await entra.request(form.action, { form: { flowToken: form.flowToken, login: user("admin").username, passwd: "not-the-password" } });
      assert.equal(wrong.status, 200);
      assert.equal(wrong.location, null);
      assert.match(wrong.text, /AADSTS50126/);
      signInForm(wrong.text, info.loginUrl); // the form again, to try once more
    } finally {
      await entra.close();
    }
    assert.equal((await agent.request("/tenants")).status, 302);
  });

  it("with requireMfa, refuses a sign-in whose amr has no mfa, and admits one with it", async () => {
    const c = consoleWith({ requireMfa: true });
    const nomfa = user("nomfa");
    const agent = new Agent(c, ORIGIN);
    const res = await signIn(agent, nomfa);
    assert.equal(res.status, 403);
    assert.match(await refusal(res), /requires multi-factor authentication/);
    assert.equal((await agent.request("/tenants")).status, 302);
    const audit = await lastSignInAudit();
    assert.equal(audit?.actor, nomfa.username);
    assert.match(audit?.result ?? "", /sso\.mfa-required/);
    assert.equal((await signIn(new Agent(c, ORIGIN), user("admin"))).status, 200);
  });

  it("with local accounts off, shows no password form and refuses a password sign-in; with them on, the break-glass account works", async () => {
    const off = new Agent(consoleWith({ localAccounts: false }), ORIGIN);
    const page = await (await off.request("/login")).text();
    assert.match(page, /Sign in with Microsoft/);
    assert.doesNotMatch(page, /id="login-form"/);
    const csrf = /name="_login" value="([^"]+)"/.exec(page)?.[1] ?? "none";
    const refused = await off.form("/login", { _login: csrf, name: "breakglass", password: "break-glass-password-1" }, { csrf: false });
    assert.equal(refused.status, 403);
    assert.equal((await off.request("/tenants")).status, 302);

    const on = new Agent(consoleWith(), ORIGIN);
    const form = await (await on.request("/login")).text();
    const token = /name="_login" value="([^"]+)"/.exec(form)?.[1];
    assert.ok(token);
    assert.equal((await on.form("/login", { _login: token, name: "breakglass", password: "break-glass-password-1" }, { csrf: false })).status, 303);
  });

  it("says so on the sign-in page when the issuer's discovery document cannot be read", async () => {
    const agent = new Agent(consoleWith({ issuer: `${info.loginUrl}/00000000-0000-0000-0000-00000000dead/v2.0` }), ORIGIN);
    const res = await agent.request("/login/sso");
    assert.equal(res.status, 502);
    assert.match(await refusal(res), /cannot be reached/);
  });
});

/** The user signs in on the emulator's page, which refuses them and answers the callback with an error. */
async function signInAtEntraRefused(authorize: URL, who: { username: string; password: string }): Promise<string> {
  const entra = new EntraBrowser(world.ca);
  try {
    const page = await entra.request(authorize.toString());
    const form = signInForm(page.text, info.loginUrl);
    const done = await entra.request(form.action, { form: { flowToken: form.flowToken, login: who.username, passwd: who.password } });
    assert.equal(done.status, 302, done.text);
    const location = new URL(done.location ?? "");
    assert.equal(location.searchParams.get("error"), "access_denied");
    return location.toString();
  } finally {
    await entra.close();
  }
}
