import type { AppContext } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { sts } from "./sts-codes.js";
import { stsError } from "./sts-error.js";

/** One entry of the instance-discovery `metadata` (hosts that share one token cache). */
interface CloudMetadata {
  preferred_network: string;
  preferred_cache: string;
  aliases: string[];
}

/**
 * The public clouds' entries that Entra lists in every instance-discovery answer
 * (docs/reference/mde-api.md, "Instance discovery"); the emulator's own entry comes first.
 */
const PUBLIC_CLOUDS: readonly CloudMetadata[] = [
  {
    preferred_network: "login.microsoftonline.com",
    preferred_cache: "login.windows.net",
    aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
  },
  { preferred_network: "login.partner.microsoftonline.cn", preferred_cache: "login.partner.microsoftonline.cn", aliases: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"] },
  { preferred_network: "login.microsoftonline.de", preferred_cache: "login.microsoftonline.de", aliases: ["login.microsoftonline.de"] },
  { preferred_network: "login.microsoftonline.us", preferred_cache: "login.microsoftonline.us", aliases: ["login.microsoftonline.us", "login.usgovcloudapi.net"] },
  { preferred_network: "login-us.microsoftonline.com", preferred_cache: "login-us.microsoftonline.com", aliases: ["login-us.microsoftonline.com"] },
];

/**
 * The emulator's own entry: the host it reports (`loginUrl`), the host the
 * request was addressed to, and the loopback spellings of the same port (its
 * certificate covers localhost, 127.0.0.1 and ::1), so MSAL shares one cache
 * across them as it does across login.microsoftonline.com and login.windows.net.
 */
function emulatorMetadata(state: EmulatorState, requestHost: string): CloudMetadata {
  const base = new URL(state.baseUrl);
  const preferred = base.host;
  const port = base.port ? `:${base.port}` : "";
  const aliases = [preferred, requestHost, `localhost${port}`, `127.0.0.1${port}`, `[::1]${port}`].map((h) => h.toLowerCase());
  return { preferred_network: preferred, preferred_cache: preferred, aliases: [...new Set(aliases)] };
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…`: the
 * instance discovery MSAL performs for an authority it does not know. For a host
 * Entra knows, the answer names the tenant's discovery document
 * (`…/{tenant}/v2.0/.well-known/openid-configuration` for a v2 authorize
 * endpoint, `…/{tenant}/.well-known/openid-configuration` for a v1 one), echoes
 * the API version and lists the clouds' host aliases; here the emulator's own host
 * is a known one. Any other host is AADSTS50049 `invalid_instance`.
 */
export function instanceDiscovery(state: EmulatorState, c: AppContext): Response {
  const journal = c.get("journal");
  journal.kind = "discovery";
  const url = new URL(c.req.url);
  const endpoint = url.searchParams.get("authorization_endpoint");
  const fail = (spec: ReturnType<typeof sts.unknownInstance>) => {
    journal.error = `AADSTS${spec.code}`;
    return stsError(state, spec);
  };
  // DOC-SILENT: MSAL always sends it; the missing-parameter code of the token endpoint is used.
  if (!endpoint) return fail(sts.missingParameter("authorization_endpoint"));
  const authorize = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  const requestOrigin = url.origin;
  const own = emulatorMetadata(state, url.host);
  const metadata = [own, ...PUBLIC_CLOUDS];
  const httpsOrAllowed = authorize !== undefined && (authorize.protocol === "https:" || state.options.insecureHttp);
  const host = authorize?.host.toLowerCase() ?? "";
  // Python MSAL (1.21) drops the port when it builds the authorize endpoint it asks about; a
  // port-less name of the emulator's own host is taken to mean this emulator (DOC-SILENT).
  const portless = authorize !== undefined && authorize.port === "" && own.aliases.some((a) => a.replace(/:\d+$/, "") === host);
  if (!httpsOrAllowed || !(portless || metadata.some((m) => m.aliases.includes(host)))) return fail(sts.unknownInstance());
  const origin = portless && !own.aliases.includes(host) ? requestOrigin : authorize.origin;
  const match = /^\/([^/]+)\/oauth2\/(v2\.0\/)?authorize\/?$/i.exec(authorize.pathname);
  const tenant = match?.[1] ?? "common";
  const version = match?.[2] ? "v2.0/" : "";
  const apiVersion = url.searchParams.get("api-version") ?? "1.1";
  return c.json(
    {
      tenant_discovery_endpoint: `${origin}/${tenant}/${version}.well-known/openid-configuration`,
      "api-version": apiVersion,
      metadata,
    },
    200,
    { "cache-control": "max-age=86400, private", "access-control-allow-origin": "*" },
  );
}
