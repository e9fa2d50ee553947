/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { StartedOnboarding } from "../../services/tenants.js";
import type { Session } from "../../sessions.js";
import { PostForm } from "../components.js";
import { when } from "../format.js";
import { text } from "../html.js";
import { layout } from "../layout.js";

export function newTenantPage(session: Session, error?: string, values: { name?: string; tenant?: string } = {}): string {
  return layout(
    session,
    { title: "Add a customer", section: "tenants", flash: error ? { kind: "error", text: error } : undefined },
    <PostForm action="/tenants" session={session} class="card stack">
      <label for="customer-name">
        Customer name
        <input id="customer-name" name="name" required maxlength={120} value={text(values.name ?? "")} />
      </label>
      <label for="customer-tenant">
        Tenant id or domain (optional)
        <input id="customer-tenant" name="tenant" placeholder="contoso.onmicrosoft.com or 00000000-…" value={text(values.tenant ?? "")} />
      </label>
      <p class="muted">With a tenant the link works only for that tenant. Without one the customer's administrator picks the organization.</p>
      <div>
        <button type="submit" id="create-link">Create consent link</button>
      </div>
    </PostForm>,
  );
}

export function onboardingPage(session: Session, started: StartedOnboarding): string {
  const url = text(started.consentUrl);
  return layout(
    session,
    { title: `Consent link for ${started.name}`, section: "tenants" },
    <>
      <div class="card stack">
        <p>
          Send this link to the customer's Global Administrator. When they accept, they come back to this console, which records the tenant and verifies it
          at once.
        </p>
        <div class="consent-link">
          <label for="consent-link" class="sr">Consent link</label>
          <input id="consent-link" readonly value={url} />
          <button type="button" data-copy="#consent-link" id="copy-link">Copy link</button>
        </div>
        <p>
          <a href={url} id="open-consent-link" rel="noreferrer">Open the consent link</a> (only if you are the customer's administrator)
        </p>
        <p class="muted">
          The link works once and expires {text(when(started.expiresAt))}.
          {started.tenantId && (
            <>
              {" "}
              Tenant <code>{text(started.tenantId)}</code> is listed as pending until then.
            </>
          )}
        </p>
      </div>
      <p>
        <a href="/tenants">Back to tenants</a>
      </p>
    </>,
  );
}
