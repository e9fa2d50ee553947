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
 * - Interactive sign-in (entra-docs reference-error-codes.md @04f65548 and v2-oauth2-auth-code-flow.md):
 *   50126, 50034, 50058 (`login_required` for prompt=none), 50105, 54005, 501481, 501491, 70008.
 *   OBSERVED message texts (public issue threads and Q&A quoting the service): 50105 "Your administrator
 *   has configured the application …", 50034 "The user account … does not exist in the … directory",
 *   50058 "A silent sign-in request was sent but no user is signed in", 70000 "The provided value for
 *   the 'code' parameter is not valid", 70008 "… has expired due to inactivity", 500112 "The reply
 *   address … does not match the reply address … provided when requesting Authorization code"
 *   (reported with `invalid_client`), 9002313 for an unreadable refresh token.
 * - DOC-SILENT, chosen here: 50105 is sent to the redirect URI as `access_denied`; an unknown
 *   `code_challenge_method` or `prompt` is AADSTS90023 (the generic invalid-request code);
 *   a missing `code_verifier` for a PKCE code is 501481 like a wrong one.
 * - DOC-SILENT, chosen here: a replayed assertion `jti` is refused as AADSTS50013
 *   (InvalidAssertion, the documented generic "assertion is invalid" code); 700021 for an
 *   assertion whose `iss` is not the `client_id`; 5002738 for an unsupported assertion `alg`.
 */
const spec = (error: string, code: number, message: string): StsErrorSpec => ({ error, code, message });

export const sts = {
  duplicateParameter: (name: string) => spec("invalid_request", 9000411, `The request is not properly formatted. The parameter '${name}' is duplicated.`),
  missingParameter: (name: string) => spec("invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`),
  onlyPost: (method: string) => spec("invalid_request", 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`),
  malformedTenant: (segment: string) => spec("invalid_request", 900023, `Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain.`),
  tenantNotFound: (segment: string, error = "invalid_request") => spec(error, 90002, `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`),
  aliasNotSupported: () => spec("invalid_request", 9001023, "The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint."),
  unsupportedGrantType: (grantType: string) => spec("unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`),
  appNotFound: (clientId: string, directory: string) => spec("unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  appDisabled: (clientId: string, name: string) => spec("unauthorized_client", 7000112, `Application '${clientId}'(${name}) is disabled.`),
  noCredential: () => spec("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  twoCredentials: () => spec("invalid_request", 90023, "The request is not valid: it uses more than one client authentication method (RFC 6749 §2.3)."),
  basicClientMismatch: () => spec("invalid_request", 90023, "The request is not valid: the client_id in the Authorization header does not match the client_id parameter."),
  invalidSecret: (clientId: string) => spec("invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  expiredSecret: (clientId: string) => spec("invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`),
  assertionType: () => spec("invalid_request", 90011, "Unexpected client assertion type. Expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'."),
  assertionMalformed: () => spec("invalid_client", 50027, "JWT token is invalid or malformed."),
  assertionAlgorithm: (alg: string) => spec("invalid_client", 5002738, `Invalid JWT token. '${alg}' is not a supported signature algorithm. Supported signing algorithms are: 'RS256, PS256'.`),
  assertionKeyNotFound: (thumbprint: string, clientId: string) => spec("invalid_client", 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`),
  assertionKeyExpired: (thumbprint: string) => spec("invalid_client", 700027, `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprint}']`),
  assertionSignature: () => spec("invalid_client", 700027, "Client assertion failed signature validation."),
  assertionSubject: () => spec("invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion."),
  assertionIssuer: () => spec("invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."),
  assertionAudience: () => spec("invalid_client", 700023, "Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."),
  assertionTime: (now: string, from: string, expiry: string) => spec("invalid_client", 700024, `Client assertion is not within its valid time range. Current time: ${now}, assertion valid from ${from}, expiry time of assertion ${expiry}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`),
  assertionReplayed: () => spec("invalid_client", 50013, "Assertion is invalid because of various reasons - the client assertion's 'jti' has already been used. Create a new assertion with a unique 'jti' for each request."),
  invalidScope: (scope: string) => spec("invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  scopeWithoutDefault: (scope: string) => spec("invalid_scope", 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  multipleResources: (scope: string) => spec("invalid_scope", 700022, `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`),
  resourceNotFound: (resource: string, tenantName: string) => spec("invalid_resource", 500011, `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
  redirectMismatch: (uri: string, clientId: string) => spec("invalid_request", 50011, `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`),
  invalidRequest: (detail: string) => spec("invalid_request", 90023, `The request is not valid: ${detail}`),
  unsupportedResponseType: (type: string) => type.split(/\s+/).includes("id_token")
    ? spec("unsupported_response_type", 700054, "Response_type 'id_token' is not enabled for the application.")
    : spec("unsupported_response_type", 70005, `The provided value for the input parameter 'response_type' is not allowed for this client. Expected value is 'code'. Received '${type}'.`),
  unsupportedResponseMode: (mode: string) => spec("invalid_request", 70007, `The provided value '${mode}' for the input parameter 'response_mode' is not supported.`),
  codeChallengeSize: () => spec("invalid_request", 501491, "Invalid size of Code_Challenge parameter."),
  badCredentials: () => spec("invalid_grant", 50126, "Error validating credentials due to invalid username or password."),
  userNotFound: (username: string, tenantName: string) => spec("invalid_grant", 50034, `The user account ${username} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`),
  loginRequired: () => spec("login_required", 50058, "A silent sign-in request was sent but no user is signed in."),
  notAssigned: (appName: string, clientId: string, username: string) => spec("access_denied", 50105, `Your administrator has configured the application ${appName} ('${clientId}') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '${username}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.`),
  codeInvalid: () => spec("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid."),
  codeRedeemed: () => spec("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."),
  codeExpired: () => spec("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."),
  replyMismatch: (sent: string, original: string) => spec("invalid_client", 500112, `The reply address '${sent}' does not match the reply address '${original}' provided when requesting Authorization code.`),
  pkceMismatch: () => spec("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
  refreshInvalid: () => spec("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."),
  unknownInstance: () => spec("invalid_instance", 50049, "Unknown or invalid instance."),
  temporarilyUnavailable: (status: number): StsErrorSpec => ({
    ...(status === 429
      ? spec("temporarily_unavailable", 90055, "There are too many incoming requests. This exception is thrown for blocked tenants.")
      : status >= 500 && status !== 503
        ? spec("server_error", 50000, "There was an error issuing a token or an issue with our sign-in service.")
        : spec("temporarily_unavailable", 90006, "The service is temporarily unavailable. Please try again.")),
    status,
  }),
} as const;
