/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The page frame: skip link, navigation by role, the signed-in user and a
 * real sign-out button (a form with the CSRF token). Styles and script are the
 * console's own static files (CSP `default-src 'self'`, no inline code).
 */
import type { Child } from "hono/jsx";
import type { Session } from "../sessions.js";
import { hasEverywhere } from "../access.js";
import { roleAtLeast } from "../users-file.js";
import { ASSET_PATHS } from "./assets.js";
import { clip } from "./clip.js";
import { Csrf } from "./components.js";
import { renderDocument, text } from "./html.js";

export interface PageOptions {
  readonly title: string;
  /** Which nav entry is current. */
  readonly section?: "overview" | "tenants" | "alerts" | "incidents" | "investigations" | "devices" | "vulnerabilities" | "hunting" | "batches" | "baselines" | "audit" | "users" | "approvals" | "tokens" | "notifications";
  readonly flash?: { kind: "ok" | "error" | "info"; text: string } | undefined;
}

const SECTIONS = [
  ["overview", "/overview", "Overview", "viewer"],
  ["tenants", "/tenants", "Tenants", "viewer"],
  ["alerts", "/alerts", "Alerts", "viewer"],
  ["incidents", "/incidents", "Incidents", "viewer"],
  ["investigations", "/investigations", "Investigations", "viewer"],
  ["devices", "/devices", "Devices", "viewer"],
  ["vulnerabilities", "/vulnerabilities", "Vulnerabilities", "viewer"],
  ["hunting", "/hunting", "Hunting", "viewer"],
  ["batches", "/batches", "Batches", "viewer"],
  ["baselines", "/baselines", "Baselines", "viewer"],
  ["audit", "/audit", "Audit log", "viewer"],
  ["approvals", "/approvals", "Approvals", "responder"],
  ["users", "/users", "Users", "admin"],
  ["tokens", "/admin/tokens", "API tokens", "admin"],
  ["notifications", "/admin/notifications", "Notifications", "admin"],
] as const;

function Navigation({ session, section }: { session: Session; section: PageOptions["section"] }) {
  return (
    <>
      <nav aria-label="Main">
        <ul>
          {/* Operator accounts are console-wide: shown to admins of every tenant only. */}
          {SECTIONS.filter(([id, , , role]) => (id === "users" || id === "notifications" ? hasEverywhere(session.grants, role) : roleAtLeast(session.role, role))).map(([id, href, label]) => (
            <li>
              <a href={href} aria-current={section === id ? "page" : undefined}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <form class="signout" method="post" action="/logout">
        <Csrf session={session} />
        <span class="who">
          {text(session.user)} <small>({session.role})</small>
        </span>
        <button type="submit" id="sign-out">Sign out</button>
      </form>
    </>
  );
}

/** The whole document of a page: `body` in the frame, titled, with the flash line when there is one. */
export function layout(session: Session | undefined, options: PageOptions, body: Child): string {
  // Titles and flash lines often carry tenant data (an alert's title, a tenant's error text).
  const title = text(clip(options.title, 300));
  const flash = options.flash;
  return renderDocument(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex" />
        <title>{title} · MDE partner console</title>
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.js} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <a class="brand" href="/">MDE partner console</a>
          {session ? <Navigation session={session} section={options.section} /> : ""}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {flash ? <p class={`flash ${flash.kind}`} role="status">{text(clip(flash.text, 2_000))}</p> : ""}
          {body}
        </main>
      </body>
    </html>,
  );
}
