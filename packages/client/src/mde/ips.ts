/** IP addresses (mde-api.md §5.9). */
import { isIP } from "node:net";
import type { Alert } from "./models/alert.js";
import type { IpStats } from "./models/stats.js";
import type { PagedResult } from "../odata/paging.js";
import { path } from "../pipeline/path.js";
import type { MdeTransport } from "../pipeline/transport.js";
import { buildRequest, linkedList, type RequestOptions, sendJson } from "./call.js";
import { type StatsOptions, statsQuery } from "./stats-options.js";

/** Returns `ip` when it is an IPv4/IPv6 address; throws `TypeError` naming it otherwise (the service answers 400). */
export function ipAddress(ip: string): string {
  if (typeof ip === "string" && isIP(ip) !== 0) return ip;
  throw new TypeError(`invalid IP address ${JSON.stringify(ip)}`);
}

/** The IPs API of one tenant. */
export interface IpsResource {
  /** `GET /api/ips/{ip}/alerts` (valid but unknown IP → empty list). */
  listAlerts(ip: string, options?: RequestOptions): PagedResult<Alert>;
  /** `GET /api/ips/{ip}/stats?lookBackHours=n`. */
  getStats(ip: string, options?: StatsOptions): Promise<IpStats>;
}

/** Creates the IPs resource over a transport. */
export function createIpsResource(transport: MdeTransport): IpsResource {
  return {
    listAlerts: (ip, options = {}) => linkedList(transport, "ListIpAlerts", path`/api/ips/${ipAddress(ip)}/alerts`, options),
    getStats: (ip, options = {}) => {
      const query = statsQuery(options);
      return sendJson(
        transport,
        buildRequest("GetIpStats", path`/api/ips/${ipAddress(ip)}/stats`, { ...(query ? { query } : {}), signal: options.signal }),
      );
    },
  };
}
