/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { ConsentOutcome } from "../../services/consent.js";
import type { Session } from "../../sessions.js";
import { clip } from "../clip.js";
import { text } from "../html.js";
import { layout } from "../layout.js";
import { VerifyResultBlock } from "./tenants-page.js";

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
      <section class="card" id="consent-error" data-reason={outcome.reason}>
        <p class="error-message bad">{text(clip(outcome.message, 2_000))}</p>
      </section>,
    );
  }
  const { tenant, verify } = outcome;
  const link = `/tenants/${tenant.id}`;
  return layout(
    session,
    { title: `Consent recorded for ${tenant.name}` },
    <>
      <p id="consent-ok">
        Tenant <code>{text(tenant.id)}</code> has granted consent.
      </p>
      <VerifyResultBlock result={verify} />
      {session ? (
        <p>
          <a href={text(link)} id="tenant-link">Open the tenant</a> · <a href="/tenants">All tenants</a>
        </p>
      ) : (
        <p>
          You can close this page. Operators: <a href={text(link)} id="tenant-link">open the tenant in the console</a>.
        </p>
      )}
    </>,
  );
}
