/** Domains (mde-api.md §5.8). */
import type { Alert } from "./models/alert.js";
import type { Machine } from "./models/machine.js";
import type { DomainStats } from "./models/stats.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, linkedList, type RequestOptions, sendJson } from "./call.js";
import { type StatsOptions, statsQuery } from "./stats-options.js";

// A host name (labels of letters, digits, `-`, `_`); the service answers 400 InvalidDomainName otherwise.
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** Returns `domain` when it is a host name; throws `TypeError` naming it otherwise. */
export function domainName(domain: string): string {
  if (typeof domain === "string" && DOMAIN.test(domain)) return domain;
  throw new TypeError(`invalid domain name ${JSON.stringify(domain)}`);
}

/** The domains API of one tenant. */
export interface DomainsResource {
  /** `GET /api/domains/{domain}/alerts` (only Alert.ReadWrite.All is documented). */
  listAlerts(domain: string, options?: RequestOptions): PagedResult<Alert>;
  /** `GET /api/domains/{domain}/machines` (at most 500 devices). */
  listMachines(domain: string, options?: RequestOptions): PagedResult<Machine>;
  /** `GET /api/domains/{domain}/stats?lookBackHours=n` (unknown domain → prevalence 0). */
  getStats(domain: string, options?: StatsOptions): Promise<DomainStats>;
}

/** Creates the domains resource over a transport. */
export function createDomainsResource(transport: MdeTransport): DomainsResource {
  return {
    listAlerts: (domain, options = {}) =>
      linkedList(transport, "ListDomainAlerts", path`/api/domains/${domainName(domain)}/alerts`, options),
    listMachines: (domain, options = {}) =>
      linkedList(transport, "ListDomainMachines", path`/api/domains/${domainName(domain)}/machines`, options),
    getStats: (domain, options = {}) => {
      const query = statsQuery(options);
      return sendJson(
        transport,
        buildRequest("GetDomainStats", path`/api/domains/${domainName(domain)}/stats`, {
          ...(query ? { query } : {}),
          signal: options.signal,
        }),
      );
    },
  };
}
