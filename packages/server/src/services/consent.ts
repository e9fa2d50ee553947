/**
 * The admin-consent callback (mde-api.md §1.2). Order matters:
 * 1. the `state` must be one the console issued, unexpired and unused;
 * 2. the redirect must report success (`admin_consent=True` and a tenant GUID),
 *    not an error such as `access_denied`;
 * 3. a link made for one tenant must come back from that tenant. A link made
 *    for a verified domain is bound to the tenant that owns the domain, read
 *    from the tenant's OpenID metadata on the cloud's login host (normally when
 *    the link was made; links from before that are resolved here);
 * 4. only then is the state used up — in one statement, so a replay or a race
 *    loses — and the tenant recorded, and verified at once (token, tid, roles,
 *    one API probe): the redirect's `tenant` can be forged, a token cannot.
 * A callback from another tenant does not use the state up: it records nothing
 * (but the refusal, in the audit log) and the right customer can still finish
 * with the same link. A refused consent (`access_denied`) is the customer's
 * answer and does use it up. Nothing is written to the tenants for a refused callback.
 */
import { isMdeError, isTenantGuid, parseConsentCallback } from "@mde-partner/client";
import { type ConsentRequestRecord, onboardTenant, type TenantRecord, type VerifyResult } from "@mde-partner/sync";
import type { ResolvedConsoleOptions } from "../options.js";
import type { ConsoleEngine } from "./engine.js";

export type ConsentOutcome =
  | {
      readonly ok: false;
      readonly status: 400 | 502;
      readonly reason: string;
      readonly message: string;
      /** Entra recorded an accepted consent although the console recorded nothing (a response without state). */
      readonly consentGiven?: true;
    }
  | { readonly ok: true; readonly tenant: TenantRecord; readonly verify: VerifyResult };

const refuse = (reason: string, message: string, status: 400 | 502 = 400): ConsentOutcome => ({ ok: false, status, reason, message });

const UNKNOWN_STATE = refuse(
  "unknown-state",
  "This consent response does not match a consent link the console is waiting for: the link was already used, has expired, or was not issued by this console. Nothing was recorded. Ask for a new consent link.",
);

/** A verification that could not run: the tenant stays recorded, degraded with why. */
function unverified(tenantId: string, error: unknown): VerifyResult {
  const code = isMdeError(error) ? error.code : ((error as { code?: string }).code ?? "ERR_UNEXPECTED");
  return {
    tenantId,
    state: "degraded",
    checks: [{ name: "verify", ok: false, detail: (error as Error).message }],
    roles: [],
    missingPermissions: [],
    error: { code: String(code), message: (error as Error).message },
  };
}

async function onboardingName(options: ResolvedConsoleOptions, request: ConsentRequestRecord): Promise<string | undefined> {
  const [entry] = await options.store.queryAudit({ correlationId: request.id, limit: 1 });
  const name = (entry?.request as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

export async function completeConsent(
  options: ResolvedConsoleOptions,
  engine: ConsoleEngine,
  params: URLSearchParams,
): Promise<ConsentOutcome> {
  const { store } = options;
  const state = params.get("state");
  if (!state) {
    // A link made without a state (the legacy link of the MDE partner pages, which hints give) ends on
    // the app's registered reply URL, which may be this callback: Entra has recorded an accepted consent
    // then, so the page must not read as if it failed; the console still changes nothing without a state.
    const accepted = (params.get("admin_consent") ?? "").toLowerCase() === "true" && !params.get("error");
    if (!accepted) return refuse("missing-state", "This consent response carries no state, so the console cannot tell which onboarding it belongs to. Nothing was recorded.");
    return {
      ok: false,
      status: 400,
      reason: "missing-state",
      message:
        "Microsoft has recorded the consent, but this response carries no state, so the console cannot tell which onboarding it belongs to and changed nothing. The partner's operators verify the tenant (Verify on the tenant's page, or mde-partner tenants verify).",
      consentGiven: true,
    };
  }
  const request = await store.findConsentState(state);
  if (!request) return UNKNOWN_STATE;
  const audit = (phase: "completed" | "failed", tenantId: string | null, result: string) =>
    store.appendAudit({
      actor: "consent-callback",
      action: "tenant.consent",
      phase,
      tenantId,
      target: request.tenantHint,
      result,
      correlationId: request.id,
    });

  let tenantId: string;
  try {
    tenantId = parseConsentCallback(params).tenantId;
  } catch (error) {
    const code = isMdeError(error) ? error.code : "ERR_UNEXPECTED";
    const message =
      code === "ERR_MDE_CONSENT_DENIED"
        ? `The customer's administrator did not grant consent: ${(error as Error).message}. Nothing was recorded.`
        : `The consent response is not a successful admin consent (${(error as Error).message}). Nothing was recorded.`;
    // The administrator's answer (or a malformed redirect) ends this link.
    if (!(await store.consumeConsentState(state))) return UNKNOWN_STATE;
    await audit("failed", null, `${code}: ${(error as Error).message.split("\n")[0]}`);
    return refuse(code === "ERR_MDE_CONSENT_DENIED" ? "denied" : "invalid", message);
  }

  const hint = request.tenantHint?.toLowerCase();
  let expected: string | undefined;
  if (hint && isTenantGuid(hint)) expected = hint;
  else if (hint) {
    try {
      expected = await options.partner.resolveTenant(hint);
    } catch (error) {
      const code = isMdeError(error) ? error.code : "ERR_UNEXPECTED";
      await audit("failed", null, `could not resolve ${hint} to its tenant (${code}); consent from ${tenantId} not recorded`);
      return refuse(
        "unresolved-domain",
        `The console could not confirm which tenant owns ${hint} (${code}), so it cannot tell whether this consent came from it. Nothing was recorded; the link stays valid: try again later.`,
        502,
      );
    }
  }
  if (expected !== undefined && expected !== tenantId) {
    await audit("failed", null, `consent came from tenant ${tenantId}, the link was made for ${hint === expected ? expected : `${hint} (${expected})`}`);
    return refuse(
      "wrong-tenant",
      `The consent came from tenant ${tenantId}, but this link was made for ${hint === expected ? `tenant ${expected}` : `${hint} (tenant ${expected})`}. Nothing was recorded and the link stays valid: the customer's administrator must consent from the tenant the link names.`,
    );
  }
  // Used up only now, in one statement: of two callbacks racing with the same state, one loses.
  if (!(await store.consumeConsentState(state))) return UNKNOWN_STATE;

  const existing = await store.getTenant(tenantId);
  const name = existing?.name ?? (await onboardingName(options, request)) ?? request.tenantHint ?? tenantId;
  const onboarded = await onboardTenant(store, { tenantId, name, consented: true }, { verify: (id) => engine.verifyTenant(id) });
  const verify = onboarded.verification ?? unverified(tenantId, onboarded.verifyError);
  await audit("completed", tenantId, `consent recorded; verification: ${verify.state}`);
  return { ok: true, tenant: onboarded.tenant, verify };
}
