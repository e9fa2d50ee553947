import type { SyncRunRecord, TenantTransition, VerifyResult } from "@mde-partner/sync";
import { SEVERITIES, type SourceSwitchPreview, type StartedOnboarding, stateLabel, type TenantOverview } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { roleAtLeast } from "../../users-file.js";
import { clip, clipDetail } from "../clip.js";
import { age, timeCell, when } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import { csrfField, layout, type PageOptions } from "../layout.js";

const stateChip = (state: string) => html`<span class="chip state-${state}" data-state="${state}">${stateLabel(state)}</span>`;

const RESOURCE_LABEL = { mde: "MDE API", graph: "Microsoft Graph" } as const;

/** One resource's line: unknown until verified, nothing needed, all granted, or what is missing. */
function resourceDrift(row: TenantOverview, resource: "mde" | "graph"): SafeHtml {
  const d = row.drift[resource];
  const granted = resource === "mde" ? row.tenant.grantedRoles.length : (row.tenant.graphRoles?.length ?? 0);
  const label = html`<strong>${RESOURCE_LABEL[resource]}</strong>: `;
  const body =
    d.needed.length === 0
      ? html`<span class="muted">nothing needed</span>`
      : !d.known
        ? html`<span class="warn">not read yet</span>`
        : d.missing.length === 0
          ? html`<span class="ok">all needed granted</span> <small class="muted">(${granted} roles)</small>`
          : html`<span class="bad">missing: ${d.missing.join(", ")}</span>`;
  return html`<div class="drift" data-resource="${resource}" data-drifted="${d.missing.length > 0 ? "true" : "false"}">${label}${body}</div>`;
}

function driftCell(session: Session, row: TenantOverview): SafeHtml {
  const { tenant, missingPermissions } = row;
  if (tenant.state === "pending_consent") return html`<span class="muted">waiting for consent</span>`;
  const admin = roleAtLeast(session.role, "admin");
  if (!row.rolesKnown) {
    const verify = admin
      ? html`<form method="post" action="/tenants/${tenant.id}/verify">${csrfField(session)}<button class="secondary" type="submit">Verify</button></form>`
      : "";
    return html`<span class="warn">granted roles not read yet</span>${verify}`;
  }
  // The re-consent link asks for both resources in one consent (graph-security.md §2).
  const relink =
    missingPermissions.length > 0 && admin
      ? html`<form method="post" action="/tenants/${tenant.id}/consent-link">${csrfField(session)}<button class="secondary" type="submit">Re-consent link</button></form>`
      : "";
  return html`${resourceDrift(row, "mde")}${resourceDrift(row, "graph")}${relink}`;
}

const SOURCE_LABEL = { mde: "MDE API", graph: "Microsoft Graph" } as const;
/** The same in a sentence. */
const SOURCE_NAME = { mde: "the MDE API", graph: "Microsoft Graph" } as const;
/** What the switch does, said on the button: it changes where every later sync reads the tenant's alerts. */
const SWITCH_LABEL = { mde: "Use the MDE API as this tenant's alert source", graph: "Use Microsoft Graph as this tenant's alert source" } as const;

/** The tenant's alert source; admins get a link to the switch's confirmation step (nothing changes on this page). */
function sourceCell(session: Session, row: TenantOverview, from: "list" | "detail" = "list"): SafeHtml {
  const { tenant } = row;
  const current = html`<span class="chip source-${tenant.alertSource}" data-source="${tenant.alertSource}">${SOURCE_LABEL[tenant.alertSource]}</span>`;
  if (!roleAtLeast(session.role, "admin")) return current;
  const other = tenant.alertSource === "graph" ? "mde" : "graph";
  return html`${current} <a class="button secondary" data-switch-source="${other}" href="/tenants/${tenant.id}/source?to=${other}&amp;from=${from}">${SWITCH_LABEL[other]}…</a>`;
}

/**
 * The confirmation step of an alert-source switch: what changes (every later
 * sync of the tenant, from the console, the CLI or the workers, reads the other
 * API), what stays, what it needs, and a real submit button. No script: the
 * form posts `confirm=yes`, and a post without it changes nothing.
 */
export function confirmSourcePage(
  session: Session,
  preview: SourceSwitchPreview,
  from: "list" | "detail",
  error?: string,
): string {
  const { tenant, to } = preview;
  const name = clip(tenant.name);
  const back = from === "detail" ? `/tenants/${tenant.id}` : "/tenants";
  const what =
    to === "graph"
      ? html`<li>Every later sync of ${name} (Sync now here, <code>mde-partner sync</code>, <code>sync --watch</code>, the demo and the workers) reads its alerts from <strong>Microsoft Graph</strong> (alerts_v2, the alerts Defender for Endpoint raised) instead of the MDE API, and reads its incidents too (the Incidents page).</li>`
      : html`<li>Every later sync of ${name} (Sync now here, <code>mde-partner sync</code>, <code>sync --watch</code>, the demo and the workers) reads its alerts from the <strong>MDE API</strong> instead of Microsoft Graph. Its incidents are no longer synced; those already stored stay.</li>`;
  const permissions =
    preview.needed.length === 0
      ? html`nothing more on ${SOURCE_NAME[to]}.`
      : preview.missing === null
        ? html`${preview.needed.join(", ")} on ${SOURCE_NAME[to]}; the tenant is not verified yet, so whether it granted them is unknown (verify it after switching).`
        : preview.missing.length
          ? html`${preview.needed.join(", ")} on ${SOURCE_NAME[to]}. <strong class="bad">Not granted at the last verification: ${preview.missing.join(", ")}</strong>: its syncs will fail until the customer consents again.`
          : html`${preview.needed.join(", ")} on ${SOURCE_NAME[to]}, all granted at the last verification.`;
  return layout(
    session,
    { title: `Use ${SOURCE_NAME[to]} as ${name}'s alert source?`, section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    html`<form class="card stack" method="post" action="/tenants/${tenant.id}/source" id="confirm-source" data-source="${to}">${csrfField(session)}
<input type="hidden" name="source" value="${to}"><input type="hidden" name="from" value="${from}"><input type="hidden" name="confirm" value="yes">
<p>${name} (<code>${tenant.id}</code>) reads its alerts from the <strong>${SOURCE_LABEL[tenant.alertSource]}</strong> today. Switching changes that setting for everything that syncs this tenant:</p>
<ul id="source-switch-effects">${what}
<li>Nothing is read now: the next sync reads from the new source. Alerts already stored stay, under the same MDE ids, so none is duplicated or lost.</li>
<li>Permissions it needs: ${permissions}</li>
<li>You can switch back at any time on the Tenants page; the switch is in the audit log.</li></ul>
<div class="row"><button type="submit" id="confirm">Switch ${name} to ${SOURCE_NAME[to]}</button><a href="${back}" id="cancel">Cancel</a></div>
</form>`,
  );
}

export function tenantsPage(session: Session, rows: readonly TenantOverview[], now: number, flash?: PageOptions["flash"]): string {
  const admin = roleAtLeast(session.role, "admin");
  const responder = roleAtLeast(session.role, "responder");
  const actions = html`<div class="row">
    ${admin ? html`<a class="button" href="/tenants/new" id="add-customer">Add a customer</a>` : ""}
    ${responder ? html`<form method="post" action="/sync">${csrfField(session)}<button type="submit" class="secondary" id="sync-all">Sync all tenants now</button></form>` : ""}
  </div>`;
  const table = rows.length
    ? html`<div class="table-wrap"><table id="tenants">
<caption class="muted">${rows.length} customer tenant${rows.length === 1 ? "" : "s"}</caption>
<thead><tr><th scope="col">Customer</th><th scope="col">State</th><th scope="col">Permissions (granted vs needed)</th><th scope="col">Alert source</th><th scope="col">Last sync</th>
${SEVERITIES.map((s) => html`<th scope="col" class="num">${s}</th>`)}<th scope="col">Last error</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr data-tenant="${r.tenant.id}">
<td><a href="/tenants/${r.tenant.id}">${r.tenant.name}</a><br><code>${r.tenant.id}</code></td>
<td>${stateChip(r.tenant.state)}</td>
<td>${driftCell(session, r)}</td>
<td>${sourceCell(session, r)}</td>
<td title="${r.tenant.lastSyncAt ?? ""}">${age(r.tenant.lastSyncAt, now)}${r.lastRun ? html`<br><small class="muted">${r.lastRun.status}, ${r.lastRun.items} items</small>` : ""}</td>
${SEVERITIES.map((s) => html`<td class="num">${r.alertCounts[s] ? html`<a href="/alerts?tenant=${r.tenant.id}&amp;severity=${s}">${r.alertCounts[s]}</a>` : "0"}</td>`)}
<td>${r.tenant.lastError ? html`<span class="bad">${clip(r.tenant.lastError)}</span>` : "—"}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="card">No customers yet.${admin ? html` <a href="/tenants/new">Add the first one</a>.` : ""}</p>`;
  return layout(session, { title: "Tenants", section: "tenants", flash }, html`${actions}${table}`);
}

export function newTenantPage(session: Session, error?: string, values: { name?: string; tenant?: string } = {}): string {
  return layout(
    session,
    { title: "Add a customer", section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    html`<form class="card stack" method="post" action="/tenants">${csrfField(session)}
<label for="customer-name">Customer name<input id="customer-name" name="name" required maxlength="120" value="${values.name ?? ""}"></label>
<label for="customer-tenant">Tenant id or domain (optional)<input id="customer-tenant" name="tenant" placeholder="contoso.onmicrosoft.com or 00000000-…" value="${values.tenant ?? ""}"></label>
<p class="muted">With a tenant the link works only for that tenant. Without one the customer's administrator picks the organization.</p>
<div><button type="submit" id="create-link">Create consent link</button></div></form>`,
  );
}

export function onboardingPage(session: Session, started: StartedOnboarding): string {
  return layout(
    session,
    { title: `Consent link for ${started.name}`, section: "tenants" },
    html`<div class="card stack">
<p>Send this link to the customer's Global Administrator. When they accept, they come back to this console, which records the tenant and verifies it at once.</p>
<div class="consent-link"><label for="consent-link" class="sr">Consent link</label>
<input id="consent-link" readonly value="${started.consentUrl}">
<button type="button" data-copy="#consent-link" id="copy-link">Copy link</button></div>
<p><a href="${started.consentUrl}" id="open-consent-link" rel="noreferrer">Open the consent link</a> (only if you are the customer's administrator)</p>
<p class="muted">The link works once and expires ${when(started.expiresAt)}.${started.tenantId ? html` Tenant <code>${started.tenantId}</code> is listed as pending until then.` : ""}</p>
</div><p><a href="/tenants">Back to tenants</a></p>`,
  );
}

export function verifyResultBlock(result: VerifyResult): SafeHtml {
  return html`<section class="card" id="verify-result" data-state="${result.state}">
<h2>Verification: ${stateChip(result.state)}</h2>
<ul class="checks">${result.checks.map((c) => html`<li class="${c.ok ? "ok" : "bad"}">${c.ok ? "✔" : "✘"} <strong>${clip(c.name, 80)}</strong>: ${clip(c.detail, 1_000)}</li>`)}</ul>
${result.missingPermissions.length ? html`<p class="bad">Missing permissions: ${result.missingPermissions.join(", ")}</p>` : ""}
${
  result.resources
    ? html`<ul class="drift-per-resource">${(["mde", "graph"] as const).map((r) => {
        const v = result.resources![r];
        return html`<li data-resource="${r}" class="${v.missing.length ? "bad" : "ok"}"><strong>${RESOURCE_LABEL[r]}</strong>: ${
          v.roles === null ? "token not read" : v.missing.length ? `missing ${v.missing.join(", ")}` : `${v.needed.length} needed, all granted`
        }</li>`;
      })}</ul>`
    : ""
}
${result.error ? html`<p class="bad">${clip(result.error.code, 80)}: ${clip(result.error.message, 2_000)}</p>` : ""}
${
  result.consentUrl
    ? html`<p>Next step: the customer's administrator must consent again (an admin creates a new consent link on the tenant's page).</p>`
    : result.action
      ? html`<p>Next step: ${clip(result.action, 2_000)}</p>`
      : ""
}
</section>`;
}

export function tenantDetailPage(
  session: Session,
  row: TenantOverview,
  transitions: readonly TenantTransition[],
  runs: readonly SyncRunRecord[],
  now: number,
  extra: { flash?: PageOptions["flash"]; verify?: VerifyResult } = {},
): string {
  const { tenant } = row;
  const admin = roleAtLeast(session.role, "admin");
  const responder = roleAtLeast(session.role, "responder");
  const buttons = html`<div class="row">
${responder ? html`<form method="post" action="/tenants/${tenant.id}/sync">${csrfField(session)}<button type="submit" id="sync-now">Sync now</button></form>` : ""}
${admin ? html`<form method="post" action="/tenants/${tenant.id}/verify">${csrfField(session)}<button type="submit" class="secondary" id="verify-now">Verify now</button></form>` : ""}
${admin ? html`<form method="post" action="/tenants/${tenant.id}/consent-link">${csrfField(session)}<button type="submit" class="secondary">New consent link</button></form>` : ""}
<a class="button secondary" href="/alerts?tenant=${tenant.id}">Alerts</a><a class="button secondary" href="/devices?tenant=${tenant.id}">Devices</a></div>`;
  const body = html`${buttons}
${extra.verify ? verifyResultBlock(extra.verify) : ""}
<section class="card"><dl class="facts">
<dt>Tenant id</dt><dd><code>${tenant.id}</code></dd>
<dt>State</dt><dd>${stateChip(tenant.state)}</dd>
<dt>Cloud / region</dt><dd>${tenant.cloud}${tenant.region ? ` / ${tenant.region}` : ""}</dd>
<dt>Alert source</dt><dd>${sourceCell(session, row, "detail")}${tenant.alertSource === "graph" ? html` <a href="/incidents?tenant=${tenant.id}">Incidents</a>` : ""}</dd>
<dt>Granted permissions (MDE API)</dt><dd>${tenant.grantedRoles.length ? tenant.grantedRoles.join(", ") : "—"}</dd>
<dt>Granted permissions (Microsoft Graph)</dt><dd>${tenant.graphRoles === null ? "unknown until verified" : tenant.graphRoles.length ? tenant.graphRoles.join(", ") : "none"}</dd>
<dt>Missing permissions</dt><dd>${!row.rolesKnown ? "unknown until verified" : html`${resourceDrift(row, "mde")}${resourceDrift(row, "graph")}`}</dd>
<dt>Last sync</dt><dd>${timeCell(tenant.lastSyncAt)} (${age(tenant.lastSyncAt, now)})</dd>
<dt>Alerts</dt><dd>${row.alertTotal} (${SEVERITIES.map((s) => `${s} ${row.alertCounts[s] ?? 0}`).join(", ")})</dd>
<dt>Last error</dt><dd id="last-error">${tenant.lastError ? clipDetail(tenant.lastError, `/api/v1/tenants/${tenant.id}`) : "—"}</dd>
</dl></section>
<h2>Sync runs</h2>
${
  runs.length
    ? html`<div class="table-wrap"><table><thead><tr><th>Started</th><th>Stream</th><th>Status</th><th class="num">Items</th><th>Error</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td>${timeCell(r.startedAt)}</td><td>${r.stream}</td><td>${r.status}</td><td class="num">${r.items}</td><td>${clip(r.error ?? "", 500)}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">No sync yet.</p>`
}
<h2>State history</h2>
<div class="table-wrap"><table><thead><tr><th>When</th><th>From</th><th>To</th><th>Reason</th></tr></thead><tbody>
${transitions.map((t) => html`<tr><td>${timeCell(t.at)}</td><td>${t.from ? stateLabel(t.from) : "—"}</td><td>${stateLabel(t.to)}</td><td>${clip(t.reason ?? "", 500)}</td></tr>`)}
</tbody></table></div>`;
  return layout(session, { title: tenant.name, section: "tenants", flash: extra.flash }, body);
}
