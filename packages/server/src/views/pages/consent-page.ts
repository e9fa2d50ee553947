import type { ConsentOutcome } from "../../services/consent.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { html } from "../html.js";
import { layout } from "../layout.js";
import { verifyResultBlock } from "./tenants-page.js";

/**
 * What the consent callback shows. The person landing here may be the
 * customer's administrator rather than an operator, so it says only what
 * concerns that tenant.
 */
export function consentResultPage(session: Session | undefined, outcome: ConsentOutcome): string {
  if (!outcome.ok) {
    return layout(
      session,
      // A consent Entra recorded (a response without state) must not read as a failed one.
      { title: outcome.consentGiven ? "Consent given at Microsoft" : "Consent not recorded" },
      html`<section class="card" id="consent-error" data-reason="${outcome.reason}"><p class="error-message bad">${clip(outcome.message, 2_000)}</p></section>`,
    );
  }
  const { tenant, verify } = outcome;
  return layout(
    session,
    { title: `Consent recorded for ${tenant.name}` },
    html`<p id="consent-ok">Tenant <code>${tenant.id}</code> has granted consent.</p>
${verifyResultBlock(verify)}
${session ? html`<p><a href="/tenants/${tenant.id}" id="tenant-link">Open the tenant</a> · <a href="/tenants">All tenants</a></p>` : html`<p>You can close this page. Operators: <a href="/tenants/${tenant.id}" id="tenant-link">open the tenant in the console</a>.</p>`}`,
  );
}
