import type { ResourcePermissions } from "./consent-permissions.js";

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// Self-contained: no external assets, no script. The four squares stand in for a logo.
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI","Helvetica Neue",Arial,sans-serif;background:#f2f2f2;color:#1b1b1b}
main{max-width:480px;margin:48px auto;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2);padding:36px 44px}
.brand{display:flex;align-items:center;gap:8px;font-size:15px;color:#5e5e5e;margin-bottom:20px}
.logo{display:grid;grid-template-columns:9px 9px;gap:2px}
.logo i{display:block;width:9px;height:9px}
.logo i:nth-child(1){background:#f25022}.logo i:nth-child(2){background:#7fba00}.logo i:nth-child(3){background:#00a4ef}.logo i:nth-child(4){background:#ffb900}
h1{font-size:24px;font-weight:600;margin:0 0 4px}
.sub{font-size:15px;margin:0 0 18px}
.app{display:flex;gap:12px;align-items:center;margin-bottom:16px}
.tile{width:44px;height:44px;background:#0078d4;color:#fff;font-weight:600;display:flex;align-items:center;justify-content:center;font-size:18px}
.app b{display:block;font-size:16px}.app small{color:#5e5e5e}
label{display:block;font-size:13px;font-weight:600;margin:12px 0 4px}
select{width:100%;padding:6px;font-size:14px}
h2{font-size:15px;font-weight:600;margin:20px 0 6px}
ul{list-style:none;padding:0;margin:0}
li{padding:6px 0;border-bottom:1px solid #eee;font-size:14px}
li code{display:block;color:#5e5e5e;font-size:12px}
.note{font-size:12px;color:#5e5e5e;margin:18px 0}
.buttons{display:flex;justify-content:flex-end;gap:8px}
button{min-width:108px;padding:6px 12px;font-size:15px;border:1px solid #8c8c8c;background:#ccc;cursor:pointer}
button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
.error h1{color:#a4262c}
pre{white-space:pre-wrap;font-size:12px;background:#f8f8f8;padding:10px;border:1px solid #eee}
`;

/** The page frame every emulated STS page shares (no external assets). */
export function shell(title: string, body: string, extraClass = ""): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main class="${extraClass}"><div class="brand"><span class="logo" aria-hidden="true"><i></i><i></i><i></i><i></i></span>Microsoft (emulated sign-in)</div>
${body}
</main></body></html>`;
}

/** One tenant the signer can pick, as `<option>`. */
export interface TenantOption {
  id: string;
  name: string;
  domain: string;
}

export interface ConsentPageModel {
  appName: string;
  clientId: string;
  /** Verified domain of the publisher's tenant, shown under the app name. */
  publisherDomain: string;
  /** Tenants the signer may be Global Administrator of. */
  tenants: TenantOption[];
  /** When the URL named a tenant: the only choice, preselected. */
  lockedTenantId?: string;
  permissions: ResourcePermissions[];
  /** Single-use session token, posted back as `session`. */
  session: string;
  /** Where the form posts (the page's own path). */
  action: string;
}

/**
 * The admin-consent prompt. A plain form, so a browser and a script drive it alike:
 * POST `action` (application/x-www-form-urlencoded) with
 *   - `session`  — the hidden single-use token from this page,
 *   - `tenant`   — GUID of the tenant whose Global Administrator consents (the `<select>`),
 *   - `decision` — `accept` or `cancel` (the button pressed).
 */
export function renderConsentPage(model: ConsentPageModel): string {
  const choices = model.lockedTenantId ? model.tenants.filter((t) => t.id === model.lockedTenantId) : model.tenants;
  const options = [
    ...(model.lockedTenantId ? [] : ['<option value="" disabled selected>Choose your organization…</option>']),
    ...choices.map(
      (t) =>
        `<option value="${escapeHtml(t.id)}"${t.id === model.lockedTenantId ? " selected" : ""}>${escapeHtml(t.name)} (${escapeHtml(t.domain)}) — ${escapeHtml(t.id)}</option>`,
    ),
  ].join("");
  const groups = model.permissions
    .map(
      (group) =>
        `<h2>${escapeHtml(group.resourceName)} (${group.permissions.length})</h2><ul>${group.permissions
          .map((p) => `<li>${escapeHtml(p.displayName)}<code>${escapeHtml(p.value)} · Application</code></li>`)
          .join("")}</ul>`,
    )
    .join("");
  const initial = escapeHtml((model.appName.trim()[0] ?? "A").toUpperCase());
  const body = `<form method="post" action="${escapeHtml(model.action)}">
<input type="hidden" name="session" value="${escapeHtml(model.session)}">
<h1>Permissions requested</h1>
<p class="sub">Accept for your organization</p>
<div class="app"><div class="tile" aria-hidden="true">${initial}</div><div><b id="app-name">${escapeHtml(model.appName)}</b><small>${escapeHtml(model.publisherDomain)} · App ID ${escapeHtml(model.clientId)}</small></div></div>
<label for="tenant">Signed in as Global Administrator of</label>
<select id="tenant" name="tenant" required>${options}</select>
<p class="sub" style="margin-top:18px">This application is not published by Microsoft. This app would like to:</p>
${groups || "<p>No application permissions.</p>"}
<p class="note">If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review these permissions. Accepting these permissions means that you allow this app to use your data as specified in their terms of service and privacy statement.</p>
<div class="buttons"><button type="submit" id="cancel" name="decision" value="cancel">Cancel</button><button type="submit" id="accept" class="primary" name="decision" value="accept">Accept</button></div>
</form>`;
  return shell("Permissions requested", body);
}

/** The sign-in error page the real service shows instead of redirecting (e.g. AADSTS50011). */
export function renderErrorPage(spec: {
  code: number;
  message: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}): string {
  const body = `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="sub" id="error-code">AADSTS${spec.code}: ${escapeHtml(spec.message)}</p>
<pre>Request Id: ${escapeHtml(spec.traceId)}
Correlation Id: ${escapeHtml(spec.correlationId)}
Timestamp: ${escapeHtml(spec.timestamp)}
Message: AADSTS${spec.code}: ${escapeHtml(spec.message)}</pre>`;
  return shell("Sign in to your account", body, "error");
}
