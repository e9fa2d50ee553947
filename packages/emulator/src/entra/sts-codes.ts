import type { StsErrorSpec } from "./sts-error.js";

/**
 * The AADSTS errors the emulated token and consent endpoints return, with the
 * `error` value and message text of the real service.
 *
 * Sources, per code:
 * - mde-api.md §1.5 and §1.7 (reference-error-codes.md): 90002, 700016, 7000215, 7000222,
 *   7000218, 700027, 50048, 70011, 700022, 500011, 7000112, 900144, 70003, 9001023, 65004.
 * - MicrosoftDocs/entra-docs reference-error-codes.md @04f65548 (read for this file): 9001023
 *   text, 50011, 900561, 90007 (InvalidSessionId).
 * - OBSERVED (non-doc, public issue threads): 900023 text (MicrosoftDocs/azure-docs#100978);
 *   700024 text (AzureAD/microsoft-authentication-library-for-dotnet#4951); 700023 "Client
 *   assertion audience claim does not match Realm issuer" (same repo, #2746); 50027 for a
 *   malformed assertion (panva/openid-client#348); 90011 "Unexpected client assertion type"
 *   (AzureAD/azure-activedirectory-library-for-ruby#53); 1002012 for a client-credentials
 *   scope without `/.default` (quoted in several public Microsoft-Graph samples);
 *   9000411 "The parameter '…' is duplicated" (Microsoft 365 admin help article for
 *   AADSTS9000411, MicrosoftDocs OfficeDocs-Support).
 * - OBSERVED (the MSAL libraries' handling of instance discovery, which treats the
 *   `invalid_instance` error as "host not trusted"): 50049 "Unknown or invalid instance."
 * - DOC-SILENT, chosen here: a replayed assertion `jti` is refused as AADSTS50013
 *   (InvalidAssertion, the documented generic "assertion is invalid" code); 700021 for an
 *   assertion whose `iss` is not the `client_id`; 5002738 for an unsupported assertion `alg`.
 */
export const sts = {
  duplicateParameter: (name: string): StsErrorSpec => ({
    error: "invalid_request",
    code: 9000411,
    message: `The request is not properly formatted. The parameter '${name}' is duplicated.`,
  }),
  missingParameter: (name: string): StsErrorSpec => ({
    error: "invalid_request",
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  onlyPost: (method: string): StsErrorSpec => ({
    error: "invalid_request",
    code: 900561,
    message: `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
  }),
  malformedTenant: (segment: string): StsErrorSpec => ({
    error: "invalid_request",
    code: 900023,
    message: `Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain.`,
  }),
  tenantNotFound: (segment: string, error = "invalid_request"): StsErrorSpec => ({
    error,
    code: 90002,
    message: `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  aliasNotSupported: (): StsErrorSpec => ({
    error: "invalid_request",
    code: 9001023,
    message:
      "The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
  }),
  unsupportedGrantType: (grantType: string): StsErrorSpec => ({
    error: "unsupported_grant_type",
    code: 70003,
    message: `The app requested an unsupported grant type '${grantType}'.`,
  }),
  appNotFound: (clientId: string, directory: string): StsErrorSpec => ({
    error: "unauthorized_client",
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  appDisabled: (clientId: string, name: string): StsErrorSpec => ({
    error: "unauthorized_client",
    code: 7000112,
    message: `Application '${clientId}'(${name}) is disabled.`,
  }),
  noCredential: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  twoCredentials: (): StsErrorSpec => ({
    error: "invalid_request",
    code: 90023,
    message: "The request is not valid: it uses more than one client authentication method (RFC 6749 §2.3).",
  }),
  basicClientMismatch: (): StsErrorSpec => ({
    error: "invalid_request",
    code: 90023,
    message: "The request is not valid: the client_id in the Authorization header does not match the client_id parameter.",
  }),
  invalidSecret: (clientId: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  expiredSecret: (clientId: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 7000222,
    message: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  }),
  assertionType: (): StsErrorSpec => ({
    error: "invalid_request",
    code: 90011,
    message: "Unexpected client assertion type. Expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
  }),
  assertionMalformed: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 50027,
    message: "JWT token is invalid or malformed.",
  }),
  assertionAlgorithm: (alg: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 5002738,
    message: `Invalid JWT token. '${alg}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, PS256'.`,
  }),
  assertionKeyNotFound: (thumbprint: string, clientId: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 700027,
    message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  }),
  assertionKeyExpired: (thumbprint: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 700027,
    message: `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprint}']`,
  }),
  assertionSignature: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 700027,
    message: "Client assertion failed signature validation.",
  }),
  assertionSubject: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 50048,
    message: "Subject mismatches Issuer claim in the client assertion.",
  }),
  assertionIssuer: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 700021,
    message:
      "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
  }),
  assertionAudience: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 700023,
    message:
      "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
  }),
  assertionTime: (now: string, from: string, expiry: string): StsErrorSpec => ({
    error: "invalid_client",
    code: 700024,
    message: `Client assertion is not within its valid time range. Current time: ${now}, assertion valid from ${from}, expiry time of assertion ${expiry}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`,
  }),
  assertionReplayed: (): StsErrorSpec => ({
    error: "invalid_client",
    code: 50013,
    message:
      "Assertion is invalid because of various reasons - the client assertion's 'jti' has already been used. Create a new assertion with a unique 'jti' for each request.",
  }),
  invalidScope: (scope: string): StsErrorSpec => ({
    error: "invalid_scope",
    code: 70011,
    message: `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  }),
  scopeWithoutDefault: (scope: string): StsErrorSpec => ({
    error: "invalid_scope",
    code: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  multipleResources: (scope: string): StsErrorSpec => ({
    error: "invalid_scope",
    code: 700022,
    message: `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
  }),
  resourceNotFound: (resource: string, tenantName: string): StsErrorSpec => ({
    error: "invalid_resource",
    code: 500011,
    message: `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  }),
  unknownInstance: (): StsErrorSpec => ({
    error: "invalid_instance",
    code: 50049,
    message: "Unknown or invalid instance.",
  }),
  temporarilyUnavailable: (status: number): StsErrorSpec =>
    status === 429
      ? {
          error: "temporarily_unavailable",
          code: 90055,
          message: "There are too many incoming requests. This exception is thrown for blocked tenants.",
          status,
        }
      : status >= 500 && status !== 503
        ? {
            error: "server_error",
            code: 50000,
            message: "There was an error issuing a token or an issue with our sign-in service.",
            status,
          }
        : { error: "temporarily_unavailable", code: 90006, message: "The service is temporarily unavailable. Please try again.", status },
} as const;
