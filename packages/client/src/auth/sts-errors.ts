/**
 * Turns an Entra ID token-endpoint error into a typed, actionable error
 * (mde-api.md §1.7 and the §9 checklist). The branch is on the numeric AADSTS
 * code (`error_codes`) and the OAuth `error`, never on `error_description` text,
 * which the docs say may change. Messages name the tenant, the app and the
 * secret's hint or certificate thumbprint — never a secret value.
 */
import {
  MdeAppDisabledError,
  MdeAuthError,
  type MdeAuthErrorDetails,
  MdeCertificateInvalidError,
  MdeConsentRequiredError,
  MdeNotProvisionedError,
  MdeScopeInvalidError,
  MdeSecretExpiredError,
  MdeSecretInvalidError,
  MdeTenantNotFoundError,
} from "../errors.js";

/** The documented token error body (mde-api.md §1.7). */
export interface StsErrorBody {
  error?: string;
  error_description?: string;
  error_codes?: number[];
  trace_id?: string;
  correlation_id?: string;
}

/** What the message needs to be actionable. */
export interface StsErrorContext {
  tenantId: string;
  clientId: string;
  cloudName: string;
  /** The scope or resource that was asked for. */
  audience: string;
  credentialKind: "secret" | "certificate" | "assertion" | "token-credential";
  /** Secret hint or certificate thumbprint. */
  credentialHint: string;
  /** Link the customer's admin must open to consent. */
  consentUrl: string;
  status?: number | undefined;
}

/** First AADSTS number: from `error_codes`, else the `AADSTSnnnn:` prefix the description starts with. */
export function aadstsCode(body: StsErrorBody): number | undefined {
  const first = body.error_codes?.[0];
  if (typeof first === "number" && Number.isFinite(first)) return first;
  if (typeof first === "string" && /^\d+$/.test(first)) return Number(first);
  const m = /^AADSTS(\d+)/.exec(body.error_description ?? "");
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Maps a token error body to the matching `MdeAuthError` subclass. */
export function stsErrorToMdeError(body: StsErrorBody, ctx: StsErrorContext): MdeAuthError {
  const aadsts = aadstsCode(body);
  const details: MdeAuthErrorDetails = {
    tenantId: ctx.tenantId,
    status: ctx.status,
    aadsts,
    oauthError: body.error,
    traceId: body.trace_id,
    correlationId: body.correlation_id,
  };
  const tag = aadsts === undefined ? (body.error ?? "unknown error") : `AADSTS${aadsts}`;
  const t = ctx.tenantId;
  switch (aadsts) {
    case 90002:
    case 900023:
    case 90038:
      return new MdeTenantNotFoundError(
        `tenant ${t} was not found in the '${ctx.cloudName}' cloud (${tag}): check the tenant id or domain, and that the customer is in this cloud`,
        details,
      );
    case 700016:
    case 65001:
    case 90094:
      return new MdeConsentRequiredError(
        `tenant ${t} has not consented to app ${ctx.clientId} (${tag}): send its Global Administrator this link: ${ctx.consentUrl}`,
        ctx.consentUrl,
        details,
      );
    case 7000215:
    case 70002:
      if (ctx.credentialKind !== "secret") {
        return new MdeCertificateInvalidError(
          `Entra ID refused the credentials of app ${ctx.clientId} (${ctx.credentialHint}) for tenant ${t} (${tag}): check the app id and that this credential is registered on the app`,
          details,
        );
      }
      return new MdeSecretInvalidError(
        `the client secret with hint '${ctx.credentialHint}…' is not valid for app ${ctx.clientId} (${tag}): use the secret's Value (not its Secret ID) from App registrations > Certificates & secrets`,
        ctx.credentialHint,
        details,
      );
    case 7000222:
      return new MdeSecretExpiredError(
        `the client secret with hint '${ctx.credentialHint}…' of app ${ctx.clientId} has expired (${tag}): add a new secret in App registrations > Certificates & secrets and update the configuration`,
        ctx.credentialHint,
        details,
      );
    case 700027:
    case 50012:
    case 700025:
    case 50048:
      return new MdeCertificateInvalidError(
        `the client assertion of app ${ctx.clientId} (${ctx.credentialHint}) was refused by tenant ${t} (${tag}): upload that certificate to the app registration and check the private key belongs to it`,
        details,
      );
    case 70011:
    case 700022:
    case 700023:
      return new MdeScopeInvalidError(
        `the scope/resource '${ctx.audience}' is not valid (${tag}): use the MDE resource's '/.default' scope, or set the cloud's resource/scope option`,
        details,
      );
    case 500011:
    case 500014:
    case 50001:
      return new MdeNotProvisionedError(
        `Microsoft Defender for Endpoint (WindowsDefenderATP) is not provisioned or is disabled in tenant ${t} (${tag}): the customer needs an active MDE subscription and must have opened the Defender portal once`,
        details,
      );
    case 7000112:
    case 70001:
      return new MdeAppDisabledError(
        `app ${ctx.clientId} is disabled (${tag}): re-enable it (or its service principal in tenant ${t})`,
        details,
      );
    default: {
      const summary = (body.error_description ?? "").split(/\r?\n/)[0]?.slice(0, 300);
      return new MdeAuthError(`Entra ID refused a token for tenant ${t} (${tag})${summary ? `: ${summary}` : ""}`, details);
    }
  }
}
