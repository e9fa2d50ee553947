import type { EmulatorState } from "../../core/state.js";
import { exportRows } from "../../data/tvm-export-rows.js";
import { CVES, productById } from "../../data/tvm-catalog.js";
import { ensureTvm } from "../../data/tvm-store.js";
import { parseDateTime, type Value } from "../kql/values.js";

/*
 * The vulnerability-management hunting tables, read from the same TVM rows as
 * the API (data/tvm-store.ts), so a KQL query and `/api/vulnerabilities/…`
 * agree. Columns as the schema reference prints them (MicrosoftDocs/defender-docs,
 * defender-xdr/advanced-hunting-devicetvmsoftwareinventory-table.md,
 * -devicetvmsoftwarevulnerabilities-table.md, -devicetvmsoftwarevulnerabilitieskb-table.md).
 */

export type TvmTableName = "DeviceTvmSoftwareInventory" | "DeviceTvmSoftwareVulnerabilities" | "DeviceTvmSoftwareVulnerabilitiesKB";

export const TVM_TABLES: readonly TvmTableName[] = ["DeviceTvmSoftwareInventory", "DeviceTvmSoftwareVulnerabilities", "DeviceTvmSoftwareVulnerabilitiesKB"];

const DEVICE = "DeviceId string, DeviceName string, OSPlatform string, OSVersion string, OSArchitecture string";
const SOFTWARE = "SoftwareVendor string, SoftwareName string, SoftwareVersion string";

export const TVM_TABLE_SPECS: Readonly<Record<TvmTableName, string>> = {
  DeviceTvmSoftwareInventory: `${DEVICE}, ${SOFTWARE}, EndOfSupportStatus string, EndOfSupportDate datetime, ProductCodeCpe string`,
  DeviceTvmSoftwareVulnerabilities: `${DEVICE}, ${SOFTWARE}, CveId string, VulnerabilitySeverityLevel string,
    RecommendedSecurityUpdate string, RecommendedSecurityUpdateId string, CveTags dynamic`,
  DeviceTvmSoftwareVulnerabilitiesKB: `CveId string, CvssScore string, IsExploitAvailable bool, VulnerabilitySeverityLevel string,
    LastModifiedTime datetime, PublishedDate datetime, VulnerabilityDescription string, AffectedSoftware dynamic`,
};

type Rows = Array<Record<string, Value>>;
const s = (v: unknown): string => (typeof v === "string" ? v : v === null || v === undefined ? "" : String(v));

function device(row: Record<string, unknown>): Record<string, Value> {
  return { DeviceId: s(row.deviceId), DeviceName: s(row.deviceName), OSPlatform: s(row.osPlatform), OSVersion: s(row.osVersion), OSArchitecture: s(row.osArchitecture) };
}

/** CPE 2.3 name of a catalogue product version. */
const cpe = (vendor: string, name: string, version: string) => `cpe:2.3:a:${vendor}:${name}:${version}:*:*:*:*:*:*:*`;

/** Builders of the TVM tables of one tenant. */
export function tvmTableBuilders(state: EmulatorState, tenantId: string): Record<TvmTableName, () => Rows> {
  const all = { offset: 0, limit: Infinity };
  return {
    DeviceTvmSoftwareInventory: () => {
      const machines = ensureTvm(state, tenantId);
      const out: Rows = [];
      // The vulnerability export lists each installed version (with or without CVEs): its distinct versions are the inventory.
      const seen = new Set<string>();
      for (const r of exportRows(state, tenantId, machines, "SoftwareVulnerabilities", all)) {
        const key = `${s(r.deviceId)}|${s(r.softwareVendor)}|${s(r.softwareName)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          ...device(r),
          SoftwareVendor: s(r.softwareVendor),
          SoftwareName: s(r.softwareName),
          SoftwareVersion: s(r.softwareVersion),
          EndOfSupportStatus: "",
          EndOfSupportDate: null,
          ProductCodeCpe: cpe(s(r.softwareVendor), s(r.softwareName), s(r.softwareVersion)),
        });
      }
      return out;
    },
    DeviceTvmSoftwareVulnerabilities: () => {
      const machines = ensureTvm(state, tenantId);
      const out: Rows = [];
      for (const r of exportRows(state, tenantId, machines, "SoftwareVulnerabilities", all)) {
        if (!r.cveId) continue;
        out.push({
          ...device(r),
          SoftwareVendor: s(r.softwareVendor),
          SoftwareName: s(r.softwareName),
          SoftwareVersion: s(r.softwareVersion),
          CveId: s(r.cveId),
          VulnerabilitySeverityLevel: s(r.vulnerabilitySeverityLevel),
          RecommendedSecurityUpdate: s(r.recommendedSecurityUpdate),
          RecommendedSecurityUpdateId: s(r.recommendedSecurityUpdateId),
          CveTags: [],
        });
      }
      return out;
    },
    DeviceTvmSoftwareVulnerabilitiesKB: () =>
      CVES.map((c) => {
        const product = productById(c.productId);
        return {
          CveId: c.id,
          CvssScore: String(c.cvssV3),
          IsExploitAvailable: c.publicExploit,
          VulnerabilitySeverityLevel: c.severity,
          LastModifiedTime: parseDateTime(c.updatedOn) ?? null,
          PublishedDate: parseDateTime(c.publishedOn) ?? null,
          VulnerabilityDescription: c.description,
          AffectedSoftware: product ? product.versions.slice(0, c.fixedIn).map((v) => cpe(product.vendor, product.name, v)) : [],
        };
      }),
  };
}
