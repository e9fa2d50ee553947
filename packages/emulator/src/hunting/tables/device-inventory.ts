import { createHash } from "node:crypto";
import { parseDateTime, TICKS_PER_DAY, TICKS_PER_SECOND, type Value } from "../kql/values.js";
import { BINARIES, type Binary, CONNECTIONS, LAUNCHES } from "./catalog.js";
import { activeWindow, type BuildContext, fileHashes, joinPath } from "./context.js";
import { certificateFor, MODULES } from "./device-catalog.js";
import { EVENTS_PER_TABLE_BUDGET } from "./device-events.js";
import { deviceFields } from "./fields.js";
import type { SourceMachine } from "./source.js";

/** At most this many DeviceNetworkInfo reports per device (as DeviceInfo, device-info.ts). */
const MAX_REPORTS_PER_DEVICE = 12;

/** Report times walking back from the device's last report, one to three days apart. */
function reportTimes(ctx: BuildContext, m: SourceMachine, label: string): bigint[] {
  const window = activeWindow(ctx, m);
  if (!window) return [];
  const random = ctx.random.fork(`${label}/${m.id}/times`);
  const times: bigint[] = [];
  for (let t = window.to; t >= window.from && times.length < MAX_REPORTS_PER_DEVICE; ) {
    times.push(t);
    t -= TICKS_PER_DAY + BigInt(random.int(0, 2 * 86_400)) * TICKS_PER_SECOND;
  }
  return times.reverse();
}

const hyphenatedMac = (mac: string) => (mac.replace(/[^0-9a-f]/gi, "").toUpperCase().match(/../g) ?? []).join("-");
const VENDORS = ["Intel Corporation", "Realtek Semiconductor Corp.", "Broadcom Inc.", "Microsoft Corporation"];

interface Adapter {
  mac: string;
  status: string;
  addresses: string[];
}

/** The device's adapters: its Machine `ipAddresses` grouped by MAC address, or one adapter with its last IP. */
function adaptersOf(m: SourceMachine): Adapter[] {
  const byMac = new Map<string, Adapter>();
  for (const a of m.ipAddresses ?? []) {
    if (!a.ipAddress) continue;
    const key = a.macAddress || "000000000000";
    const adapter = byMac.get(key) ?? { mac: key, status: a.operationalStatus || "Up", addresses: [] };
    adapter.addresses.push(a.ipAddress);
    byMac.set(key, adapter);
  }
  if (byMac.size === 0 && m.lastIp) {
    const mac = createHash("sha1").update(`mac:${m.id}`).digest("hex").slice(0, 12);
    byMac.set(mac, { mac, status: "Up", addresses: [m.lastIp] });
  }
  return [...byMac.values()];
}

const addressType = (ip: string) => (ip.includes(":") ? (ip.toLowerCase().startsWith("fe80:") ? "LinkLocal" : "Public") : /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip) ? "Private" : "Public");

/**
 * DeviceNetworkInfo (defender-xdr/advanced-hunting-devicenetworkinfo-table.md):
 * periodic reports of each device's network adapters, from the Machine's
 * `ipAddresses` — so the reported addresses include the device's
 * `lastIpAddress` — with the domain's DNS server and a gateway on the
 * adapter's subnet. MAC addresses are written with hyphens.
 */
export function buildNetworkInfo(ctx: BuildContext): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  for (const m of ctx.source.machines) {
    const adapters = adaptersOf(m);
    const times = reportTimes(ctx, m, "networkinfo");
    const random = ctx.random.fork(`networkinfo/${m.id}`);
    const wireless = m.family !== "linux" && !m.server && random.bool(0.5);
    const suffix = m.dnsName.includes(".") ? m.dnsName.slice(m.dnsName.indexOf(".") + 1) : ctx.domain.toLowerCase();
    let reportId = random.int(1_000, 90_000);
    for (const at of times) {
      adapters.forEach((adapter, i) => {
        const v4 = adapter.addresses.find((ip) => !ip.includes(":")) ?? "";
        const gateway = v4 ? `${v4.split(".").slice(0, 3).join(".")}.1` : "";
        const up = adapter.status === "Up";
        const name = m.family === "windows" ? (wireless && i === 0 ? "Wi-Fi" : i === 0 ? "Ethernet" : `Ethernet ${i + 1}`) : m.family === "linux" ? `eth${i}` : `en${i}`;
        out.push({
          Timestamp: at,
          ...deviceFields(m),
          NetworkAdapterName: name,
          MacAddress: hyphenatedMac(adapter.mac),
          NetworkAdapterType: wireless && i === 0 ? "Wireless80211" : "Ethernet",
          NetworkAdapterStatus: up ? "Up" : "Down",
          TunnelType: "",
          ConnectedNetworks: up ? JSON.stringify([{ Name: suffix, Description: suffix, IsConnectedToInternet: true, Category: m.family === "windows" ? "Domain" : "Private" }]) : "",
          DnsAddresses: up ? JSON.stringify([ctx.dcIp]) : "[]",
          IPv4Dhcp: up && !m.server ? gateway : "",
          IPv6Dhcp: "",
          DefaultGateways: up && gateway ? JSON.stringify([gateway]) : "[]",
          IPAddresses: JSON.stringify(adapter.addresses.map((ip) => ({ IPAddress: ip, SubnetPrefix: ip.includes(":") ? 64 : 24, AddressType: addressType(ip) }))),
          ReportId: reportId++,
          NetworkAdapterVendor: VENDORS[parseInt(adapter.mac.slice(-2), 16) % VENDORS.length] ?? "",
        });
      });
    }
  }
  return out;
}

/** The signed Windows binaries a device runs: the fleet's launches and connections, and their modules. */
const SIGNED_WINDOWS_BINARIES: readonly Binary[] = (() => {
  const names = new Set<string>();
  for (const [parent, child] of LAUNCHES.windows) names.add(parent).add(child);
  for (const [process] of CONNECTIONS.windows) names.add(process);
  const binaries = [...names].flatMap((n) => (BINARIES[n] ? [BINARIES[n]] : []));
  return [...binaries, ...Object.values(MODULES)].filter((b) => b.folder && certificateFor(b));
})();

const thumbprint = (text: string) => createHash("sha1").update(text).digest("hex");
const iso = (text: string) => parseDateTime(text) ?? 0n;

/**
 * DeviceFileCertificateInfo (defender-xdr/advanced-hunting-devicefilecertificateinfo-table.md):
 * the signature of each signed binary of the catalog on each Windows device,
 * keyed by the same SHA1 its process and image-load events carry, recorded
 * when the device first reported in the window. Operating-system files are
 * catalog-signed, applications embed their signature. Large fleets record a
 * rotating subset per device so the table stays within the event budget.
 */
export function buildCertificateInfo(ctx: BuildContext): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  const windows = ctx.source.machines.filter((m) => m.family === "windows");
  const perDevice = Math.max(5, Math.min(SIGNED_WINDOWS_BINARIES.length, Math.floor(EVENTS_PER_TABLE_BUDGET / Math.max(1, windows.length))));
  windows.forEach((m, index) => {
    const window = activeWindow(ctx, m);
    if (!window) return;
    const random = ctx.random.fork(`certinfo/${m.id}`);
    let reportId = random.int(1_000, 90_000);
    for (let k = 0; k < perDevice; k++) {
      const binary = SIGNED_WINDOWS_BINARIES[(index * perDevice + k) % SIGNED_WINDOWS_BINARIES.length];
      const cert = binary ? certificateFor(binary) : undefined;
      if (!binary || !cert) continue;
      const span = Number((window.to - window.from) / TICKS_PER_SECOND);
      const created = iso(cert.validity[0]);
      out.push({
        Timestamp: window.from + BigInt(random.int(0, Math.max(0, Math.min(span, 86_400)))) * TICKS_PER_SECOND,
        ...deviceFields(m),
        SHA1: fileHashes(joinPath(binary.folder, binary.name)).sha1,
        IsSigned: true,
        SignatureType: binary.product === "Microsoft® Windows® Operating System" ? "Catalog" : "Embedded",
        Signer: cert.signer,
        SignerHash: thumbprint(`${cert.signer}|${cert.serial}`),
        Issuer: cert.issuer,
        IssuerHash: thumbprint(cert.issuer),
        CertificateSerialNumber: cert.serial,
        CrlDistributionPointUrls: JSON.stringify(cert.crl),
        CertificateCreationTime: created,
        CertificateExpirationTime: iso(cert.validity[1]),
        CertificateCountersignatureTime: created + BigInt(random.int(1, 120)) * TICKS_PER_DAY,
        IsTrusted: true,
        IsRootSignerMicrosoft: cert.rootMicrosoft,
        ReportId: reportId++,
      });
    }
  });
  return out;
}
