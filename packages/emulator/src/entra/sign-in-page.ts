import { escapeHtml, shell } from "./consent-page.js";

export interface SignInPageModel {
  appName: string;
  /** Single-use-per-success token of this sign-in request, posted back as `flowToken`. */
  flowToken: string;
  /** Where the form posts (the authorize path). */
  action: string;
  /** Pre-filled user name (`login_hint`, or what the user typed before). */
  username?: string;
  /** The error of the previous attempt (wrong password, unknown user). */
  error?: { code: number; message: string };
  /** `prompt=select_account` with a signed-in browser: offer to go on as that user. */
  continueAs?: { username: string; displayName: string };
}

const FORM_STYLE = `<style>
input[type=email],input[type=password]{width:100%;padding:6px 2px;font-size:15px;border:0;border-bottom:1px solid #666;margin-bottom:12px}
.err{color:#a4262c;font-size:14px;margin:0 0 12px}
.account{display:block;width:100%;text-align:left;margin-bottom:16px;background:#fff}
</style>`;

/**
 * The emulated sign-in page. A plain form, so a browser and a script drive it alike:
 * POST `action` (application/x-www-form-urlencoded) with `flowToken` (hidden),
 * `login` (the UPN) and `passwd`; or, on an account picker, `flowToken` and
 * `continue=1` to go on as the browser's signed-in user. The browser must send
 * back the `esctx` cookie that came with the page.
 */
export function renderSignInPage(model: SignInPageModel): string {
  const error = model.error
    ? `<p class="err" id="error" role="alert">AADSTS${model.error.code}: ${escapeHtml(model.error.message)}</p>`
    : "";
  const picker = model.continueAs
    ? `<form method="post" action="${escapeHtml(model.action)}">
<input type="hidden" name="flowToken" value="${escapeHtml(model.flowToken)}">
<p class="sub">Pick an account</p>
<button type="submit" class="account" id="continue" name="continue" value="1">${escapeHtml(model.continueAs.displayName)}<br><small>${escapeHtml(model.continueAs.username)}</small></button>
</form>
<p class="sub">Or use another account:</p>`
    : "";
  const body = `${FORM_STYLE}<h1>Sign in</h1>
<p class="sub">to continue to <b id="app-name">${escapeHtml(model.appName)}</b></p>
${picker}${error}<form method="post" action="${escapeHtml(model.action)}">
<input type="hidden" name="flowToken" value="${escapeHtml(model.flowToken)}">
<label for="login">Email, phone, or Skype</label>
<input type="email" id="login" name="login" autocomplete="username" required value="${escapeHtml(model.username ?? "")}">
<label for="passwd">Password</label>
<input type="password" id="passwd" name="passwd" autocomplete="current-password" required>
<div class="buttons"><button type="submit" id="sign-in" class="primary">Sign in</button></div>
</form>`;
  return shell("Sign in to your account", body);
}

/**
 * The `response_mode=form_post` answer: a form that posts the parameters to the
 * redirect URI, submitted by a script allowed through the page's CSP nonce
 * (a button for browsers without script).
 */
export function renderFormPost(target: string, fields: ReadonlyArray<readonly [string, string]>, scriptNonce: string): string {
  const inputs = fields.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join("");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="POST" name="hiddenform" action="${escapeHtml(target)}">${inputs}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form>
<script nonce="${escapeHtml(scriptNonce)}">document.forms[0].submit();</script></body></html>`;
}
