// A scripted browser for the emulator's sign-in pages: real HTTPS (trusting only the
// emulator's CA), a cookie jar, and the steps a user takes — open the authorize link,
// read the form, post the credentials, land on the redirect URI.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { type HttpsResponse, httpsRequest, type StartedEmulator } from "./entra-support.js";

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly ca: string) {}

  private remember(res: HttpsResponse): HttpsResponse {
    const raw = res.headers["set-cookie"];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
    return res;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return cookie ? { cookie, ...extra } : extra;
  }

  async get(url: string): Promise<HttpsResponse> {
    return this.remember(await httpsRequest(url, this.ca, { headers: this.headers() }));
  }

  async post(url: string, form: Record<string, string>): Promise<HttpsResponse> {
    return this.remember(
      await httpsRequest(url, this.ca, {
        method: "POST",
        headers: this.headers({ "content-type": "application/x-www-form-urlencoded" }),
        body: new URLSearchParams(form).toString(),
      }),
    );
  }
}

/** A PKCE pair (RFC 7636): a 43-character verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeOptions {
  redirectUri: string;
  scope?: string;
  state?: string;
  nonce?: string;
  challenge?: string;
  method?: string;
  prompt?: string;
  responseMode?: string;
  loginHint?: string;
  tenant?: string;
}

export function authorizeUrl(started: StartedEmulator, o: AuthorizeOptions): string {
  const url = new URL(`${started.info.loginUrl}/${o.tenant ?? started.info.partnerTenantId}/oauth2/v2.0/authorize`);
  const set = (k: string, v: string | undefined) => v !== undefined && url.searchParams.set(k, v);
  set("client_id", started.info.partnerApp.clientId);
  set("response_type", "code");
  set("redirect_uri", o.redirectUri);
  set("scope", o.scope ?? "openid profile email offline_access");
  set("response_mode", o.responseMode);
  set("state", o.state);
  set("nonce", o.nonce);
  set("code_challenge", o.challenge);
  set("code_challenge_method", o.challenge !== undefined ? (o.method ?? "S256") : undefined);
  set("prompt", o.prompt);
  set("login_hint", o.loginHint);
  return url.toString();
}

/** The sign-in form of a page: where it posts and its hidden flow token. */
export function signInForm(res: HttpsResponse, loginUrl: string): { action: string; flowToken: string } {
  assert.equal(res.status, 200, res.text);
  assert.match(String(res.headers["content-type"]), /^text\/html/);
  const flowToken = /<input type="hidden" name="flowToken" value="([^"]+)">/.exec(res.text)?.[1];
  const action = /<form method="post" action="([^"]+)">/.exec(res.text)?.[1];
  assert.ok(flowToken && action, "the page has a sign-in form");
  return { action: new URL(action.replace(/&amp;/g, "&"), loginUrl).toString(), flowToken };
}

/** The query of a 302 to the redirect URI. */
export function redirectQuery(res: HttpsResponse, redirectUri: string): URLSearchParams {
  assert.equal(res.status, 302, res.text);
  const location = String(res.headers.location);
  assert.ok(location.startsWith(redirectUri), `${location} goes to ${redirectUri}`);
  return new URL(location).searchParams;
}
