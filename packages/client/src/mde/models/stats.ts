import type { MdeDateTime, ODataEntity } from "./common.js";

/** `GET /api/files/{id}/stats` (`#microsoft.windowsDefenderATP.api.InOrgFileStats`; mde-api.md §5.7). */
export interface FileStats extends ODataEntity {
  sha1: string;
  organizationPrevalence: number;
  orgFirstSeen: MdeDateTime | null;
  orgLastSeen: MdeDateTime | null;
  globallyPrevalence: number | null;
  globalFirstObserved: MdeDateTime | null;
  globalLastObserved: MdeDateTime | null;
  topFileNames: string[];
}

/** `GET /api/domains/{domain}/stats` (`#…InOrgDomainStats`; mde-api.md §5.8). Unknown domains report prevalence 0. */
export interface DomainStats extends ODataEntity {
  host: string;
  organizationPrevalence: number;
  orgFirstSeen: MdeDateTime | null;
  orgLastSeen: MdeDateTime | null;
}

/** `GET /api/ips/{ip}/stats` (`#…InOrgIPStats`; mde-api.md §5.9). */
export interface IpStats extends ODataEntity {
  ipAddress: string;
  organizationPrevalence: number;
  orgFirstSeen: MdeDateTime | null;
  orgLastSeen: MdeDateTime | null;
}
