/**
 * Cloud profiles: where to sign in, which API host to call, and which token
 * audience to ask for. Sources: mde-api.md §1.1 (authority hosts), §2 (API hosts,
 * regional hosts old and new style, US Government hosts), §1.3/§1.4 (resource and
 * scope values). Points the docs leave open (DOC-SILENT) are options with the
 * most-documented value as default:
 * - the v2 scope: `https://api.securitycenter.microsoft.com/.default` (printed by the
 *   webapp PowerShell and C# samples; the emulator and Entra accept the
 *   `securitycenter.onmicrosoft.com/windowsatpservice` form too),
 * - the Gov resource: the Gov API host itself, "by analogy" (mde-api.md §1.1).
 *
 * Microsoft Graph (graph-security.md §2, "National clouds"): the Graph root is also the
 * token resource, and its `.default` scope is `{root}/.default` — public and GCC (which
 * keeps the worldwide endpoints) `https://graph.microsoft.com`, GCC High
 * `https://graph.microsoft.us`, DoD `https://dod-graph.microsoft.us` (its scope is DOC-SILENT,
 * INFERRED by analogy, so it can be overridden with `graphScope`).
 */
import { readPem } from "./auth/pem.js";
import { isLoopbackHost } from "./network.js";

/** WindowsDefenderATP's application id: the `aud` of v2.0 MDE tokens (OBSERVED, mde-api.md §1.10). */
export const MDE_APP_ID = "fc780465-2017-40d4-a0c5-307022471b92";

/** The v1 `resource=` printed by the MDE PowerShell samples (mde-api.md §1.3). */
export const MDE_RESOURCE = "https://api.securitycenter.microsoft.com";

/** Microsoft Graph's application id: `resourceAppId` of Graph permissions (graph-security.md §2). */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/** The public cloud's Graph resource (`scope=https://graph.microsoft.com/.default`, graph-security.md §2). */
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

export type CloudName = "public" | "gcc" | "gcc-high" | "dod" | "custom";

/** Overrides accepted for every cloud (the DOC-SILENT points). */
export interface CloudOverrides {
  /** v1 `resource=` value. */
  resource?: string;
  /** v2 scope (must end in `/.default`). Default: `{resource}/.default`. */
  scope?: string;
  /** Accepted `aud` values when inspecting tokens. Default: the cloud's MDE identifiers. */
  audiences?: readonly string[];
  /** Extra or replaced region → API base URL entries. */
  regions?: Readonly<Record<string, string>>;
  /** Microsoft Graph v1 `resource=` value. Default: the cloud's Graph root (custom clouds: `https://graph.microsoft.com`). */
  graphResource?: string;
  /** Microsoft Graph v2 scope (must end in `/.default`). Default: `{graphResource}/.default`. */
  graphScope?: string;
}

/** A cloud you describe yourself: a sovereign cloud the library does not know, a proxy, or the offline emulator. */
export interface CustomCloudOptions extends CloudOverrides {
  name: "custom";
  /** Entra ID authority host, e.g. `https://127.0.0.1:8443`. */
  loginUrl: string;
  /** MDE API base URL (without `/api`). */
  apiUrl: string;
  /** Microsoft Graph base URL (without `/v1.0`). Default: `apiUrl` (the emulator serves both on one origin). */
  graphUrl?: string;
  /** CA certificate to trust: a PEM string or a path to a PEM file. */
  ca?: string;
  /**
   * Host names of this cloud's Defender portal (e.g. `security.microsoft.com`): tenant-supplied
   * portal links (`alertWebUrl`, `incidentWebUrl`) on these hosts may be shown as links. Default: none.
   */
  portalHosts?: readonly string[];
}

export type CloudOptions = Exclude<CloudName, "custom"> | ({ name: Exclude<CloudName, "custom"> } & CloudOverrides) | CustomCloudOptions;

/** A validated, frozen cloud profile. */
export interface CloudProfile {
  readonly name: CloudName;
  readonly loginUrl: string;
  /** Default API base URL (no region). */
  readonly apiUrl: string;
  /** Microsoft Graph base URL (without `/v1.0`). */
  readonly graphUrl: string;
  /** Microsoft Graph v1 `resource=` value. */
  readonly graphResource: string;
  /** Microsoft Graph v2 `.default` scope. */
  readonly graphScope: string;
  /** Accepted `aud` values of Graph tokens (the resource for v1 tokens, Graph's app id for v2). */
  readonly graphAudiences: readonly string[];
  /** Region code → API base URL. */
  readonly regions: Readonly<Record<string, string>>;
  readonly resource: string;
  readonly scope: string;
  readonly audiences: readonly string[];
  /** PEM of an extra CA to trust (custom clouds only). */
  readonly ca: string | undefined;
  /** Host names of the cloud's Defender portal (mde-api.md §1.1): the only hosts a tenant-supplied portal link may point to. */
  readonly portalHosts: readonly string[];
}

/** Regional hosts, mde-api.md §2: current style (2024 include) and old style (2021 include). */
const PUBLIC_REGIONS: Readonly<Record<string, string>> = {
  us: "https://us.api.security.microsoft.com",
  eu: "https://eu.api.security.microsoft.com",
  uk: "https://uk.api.security.microsoft.com",
  au: "https://au.api.security.microsoft.com",
  swa: "https://swa.api.security.microsoft.com",
  ina: "https://ina.api.security.microsoft.com",
  "api-us": "https://api-us.securitycenter.microsoft.com",
  "api-eu": "https://api-eu.securitycenter.microsoft.com",
  "api-uk": "https://api-uk.securitycenter.microsoft.com",
  "api-au": "https://api-au.securitycenter.microsoft.com",
};

const PUBLIC_AUDIENCES = [
  "https://api.securitycenter.microsoft.com",
  "https://api.security.microsoft.com",
  "https://securitycenter.onmicrosoft.com/windowsatpservice",
  MDE_APP_ID,
];

interface BuiltIn {
  loginUrl: string;
  apiUrl: string;
  graphUrl: string;
  regions: Record<string, string>;
  resource: string;
  audiences: string[];
  portalHosts: string[];
}

const BUILT_IN: Readonly<Record<Exclude<CloudName, "custom">, BuiltIn>> = {
  public: {
    loginUrl: "https://login.microsoftonline.com",
    apiUrl: "https://api.security.microsoft.com",
    graphUrl: "https://graph.microsoft.com",
    regions: PUBLIC_REGIONS,
    resource: MDE_RESOURCE,
    audiences: PUBLIC_AUDIENCES,
    portalHosts: ["security.microsoft.com"],
  },
  // GCC signs in at the commercial host (mde-api.md §1.1).
  gcc: {
    loginUrl: "https://login.microsoftonline.com",
    apiUrl: "https://api-gcc.securitycenter.microsoft.us",
    graphUrl: "https://graph.microsoft.com",
    regions: {},
    resource: "https://api-gcc.securitycenter.microsoft.us",
    audiences: ["https://api-gcc.securitycenter.microsoft.us", MDE_APP_ID],
    // gov.md: the GCC portal is the commercial one.
    portalHosts: ["security.microsoft.com"],
  },
  "gcc-high": {
    loginUrl: "https://login.microsoftonline.us",
    apiUrl: "https://api-gov.securitycenter.microsoft.us",
    graphUrl: "https://graph.microsoft.us",
    regions: {},
    resource: "https://api-gov.securitycenter.microsoft.us",
    audiences: ["https://api-gov.securitycenter.microsoft.us", MDE_APP_ID],
    portalHosts: ["security.microsoft.us"],
  },
  dod: {
    loginUrl: "https://login.microsoftonline.us",
    apiUrl: "https://api-gov.securitycenter.microsoft.us",
    graphUrl: "https://dod-graph.microsoft.us",
    regions: {},
    resource: "https://api-gov.securitycenter.microsoft.us",
    audiences: ["https://api-gov.securitycenter.microsoft.us", MDE_APP_ID],
    portalHosts: ["security.apps.mil"],
  },
};

/** True when `url`'s host is a loopback address (or a `*.localhost` name). */
export function isLoopback(url: URL): boolean {
  return isLoopbackHost(url.hostname) || url.hostname.endsWith(".localhost");
}

/**
 * Parses a base URL: https only, except plain http to a loopback host when
 * `allowInsecureRequests` is set (openid-client's explicit opt-in habit).
 * Returns the origin plus path without a trailing slash.
 */
export function checkBaseUrl(value: unknown, what: string, allowInsecureRequests: boolean): string {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${what} must be an absolute https URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} must be an absolute https URL, got ${JSON.stringify(value.slice(0, 100))}`);
  }
  if (url.username || url.password || url.search || url.hash)
    throw new TypeError(`${what} must not carry credentials, a query or a fragment`);
  if (url.protocol === "http:") {
    if (!allowInsecureRequests || !isLoopback(url)) {
      throw new TypeError(`${what} uses plain http; only a loopback host with allowInsecureRequests: true may (got ${url.host})`);
    }
  } else if (url.protocol !== "https:") {
    throw new TypeError(`${what} must use https, got ${url.protocol}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function scopeFor(resource: string, scope: string | undefined): string {
  const s = scope ?? `${resource.replace(/\/+$/, "")}/.default`;
  if (!s.endsWith("/.default"))
    throw new TypeError(`cloud scope must end in '/.default' for app-only tokens (mde-api.md §1.4), got ${JSON.stringify(s)}`);
  return s;
}

/**
 * Resolves a cloud option into a frozen profile.
 *
 * @example
 * resolveCloud("public").regions.eu // "https://eu.api.security.microsoft.com"
 * resolveCloud({ name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile })
 */
export function resolveCloud(options: CloudOptions | undefined, allowInsecureRequests = false): CloudProfile {
  const input = options ?? "public";
  const spec = typeof input === "string" ? { name: input } : input;
  if (spec === null || typeof spec !== "object") throw new TypeError("cloud must be a cloud name or a cloud object");
  const name = spec.name;
  let base: BuiltIn;
  let ca: string | undefined;
  if (name === "custom") {
    const custom = spec as CustomCloudOptions;
    const loginUrl = checkBaseUrl(custom.loginUrl, "cloud.loginUrl", allowInsecureRequests);
    const apiUrl = checkBaseUrl(custom.apiUrl, "cloud.apiUrl", allowInsecureRequests);
    const graphUrl = custom.graphUrl === undefined ? apiUrl : checkBaseUrl(custom.graphUrl, "cloud.graphUrl", allowInsecureRequests);
    base = { loginUrl, apiUrl, graphUrl, regions: {}, resource: MDE_RESOURCE, audiences: PUBLIC_AUDIENCES, portalHosts: portalHostsOf(custom.portalHosts) };
    ca = custom.ca === undefined ? undefined : readPem(custom.ca, "cloud.ca", "CERTIFICATE");
  } else {
    const builtIn = BUILT_IN[name as Exclude<CloudName, "custom">];
    if (!builtIn) throw new TypeError(`cloud must be one of public, gcc, gcc-high, dod, custom; got ${JSON.stringify(String(name))}`);
    base = builtIn;
  }
  const overrides = spec as CloudOverrides;
  const resource = (overrides.resource ?? base.resource).replace(/\/+$/, "");
  // Built-in clouds: the Graph root is the resource. Custom clouds point graphUrl at a proxy or the
  // emulator, which still issues tokens for the public Graph resource.
  const graphResource = (overrides.graphResource ?? (name === "custom" ? GRAPH_RESOURCE : base.graphUrl)).replace(/\/+$/, "");
  const regions: Record<string, string> = { ...base.regions };
  for (const [region, url] of Object.entries(overrides.regions ?? {})) {
    regions[region.toLowerCase()] = checkBaseUrl(url, `cloud.regions.${region}`, allowInsecureRequests);
  }
  const audiences = overrides.audiences ?? (overrides.resource ? [resource, ...base.audiences] : base.audiences);
  return Object.freeze({
    name,
    loginUrl: base.loginUrl,
    apiUrl: base.apiUrl,
    graphUrl: base.graphUrl,
    graphResource,
    graphScope: scopeFor(graphResource, overrides.graphScope),
    graphAudiences: Object.freeze([graphResource, GRAPH_APP_ID]),
    regions: Object.freeze(regions),
    resource,
    scope: scopeFor(resource, overrides.scope),
    audiences: Object.freeze([...new Set(audiences.map((a) => a.replace(/\/+$/, "")))]),
    ca,
    portalHosts: Object.freeze([...base.portalHosts]),
  });
}

/** Validated portal host names (lower case; a bare host name, no scheme, port or path). */
function portalHostsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError("cloud.portalHosts must be an array of host names");
  return value.map((h) => {
    if (typeof h !== "string" || !/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(h)) {
      throw new TypeError(`cloud.portalHosts must hold host names such as security.microsoft.com, got ${JSON.stringify(String(h).slice(0, 80))}`);
    }
    return h.toLowerCase();
  });
}

/** API base URL for a region of the cloud (or the default host when no region is given). */
export function apiUrlFor(cloud: CloudProfile, region: string | undefined): string {
  if (region === undefined) return cloud.apiUrl;
  const url = cloud.regions[region.toLowerCase()];
  if (!url) {
    const known = Object.keys(cloud.regions);
    throw new TypeError(
      `region ${JSON.stringify(region)} is not known in cloud '${cloud.name}'${known.length ? ` (known: ${known.join(", ")})` : " (it has no regional hosts)"}`,
    );
  }
  return url;
}

/** Host of the cloud's authority (the only host MSAL may talk to: `knownAuthorities`). */
export function loginHost(cloud: CloudProfile): string {
  return new URL(cloud.loginUrl).host;
}
