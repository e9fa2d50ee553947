/**
 * The page frame: skip link, navigation by role, the signed-in user and a
 * real sign-out button (a form with the CSRF token). Styles and script are the
 * console's own static files (CSP `default-src 'self'`, no inline code).
 */
import type { Session } from "../sessions.js";
import { roleAtLeast } from "../users-file.js";
import { ASSET_PATHS } from "./assets.js";
import { clip } from "./clip.js";
import { html, type SafeHtml } from "./html.js";

export interface PageOptions {
  readonly title: string;
  /** Which nav entry is current. */
  readonly section?: "tenants" | "alerts" | "incidents" | "devices" | "hunting" | "batches" | "audit" | "users";
  /** Extra `<meta>` (e.g. data for the page script). */
  readonly head?: SafeHtml;
  readonly flash?: { kind: "ok" | "error" | "info"; text: string } | undefined;
}

const SECTIONS = [
  ["tenants", "/tenants", "Tenants", "viewer"],
  ["alerts", "/alerts", "Alerts", "viewer"],
  ["incidents", "/incidents", "Incidents", "viewer"],
  ["devices", "/devices", "Devices", "viewer"],
  ["hunting", "/hunting", "Hunting", "viewer"],
  ["batches", "/batches", "Batches", "viewer"],
  ["audit", "/audit", "Audit log", "viewer"],
  ["users", "/users", "Users", "admin"],
] as const;

/** A hidden CSRF field for a form of this session. */
export function csrfField(session: Session | undefined): SafeHtml {
  return session ? html`<input type="hidden" name="_csrf" value="${session.csrfToken}">` : html``;
}

export function layout(session: Session | undefined, options: PageOptions, body: SafeHtml): string {
  const nav = session
    ? html`<nav aria-label="Main"><ul>${SECTIONS.filter(([, , , role]) => roleAtLeast(session.role, role)).map(
        ([id, href, label]) => html`<li><a href="${href}"${options.section === id ? html` aria-current="page"` : ""}>${label}</a></li>`,
      )}</ul></nav>
      <form class="signout" method="post" action="/logout">${csrfField(session)}
        <span class="who">${session.user} <small>(${session.role})</small></span>
        <button type="submit" id="sign-out">Sign out</button></form>`
    : html``;
  // Titles and flash lines often carry tenant data (an alert's title, a tenant's error text).
  const flash = options.flash ? html`<p class="flash ${options.flash.kind}" role="status">${clip(options.flash.text, 2_000)}</p>` : "";
  const title = clip(options.title, 300);
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="robots" content="noindex">
<title>${title} · MDE partner console</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
<script src="${ASSET_PATHS.js}" defer></script>${options.head ?? ""}
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/">MDE partner console</a>${nav}</header>
<main id="main" tabindex="-1"><h1>${title}</h1>${flash}${body}</main>
</body></html>`.value;
}
