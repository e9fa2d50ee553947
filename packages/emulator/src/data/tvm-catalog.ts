import { createRandom } from "../core/random.js";
import type { OsFamily } from "./machine-factory.js";

/**
 * The emulator's vulnerability-management catalogue: software products with
 * their versions, the CVEs each version carries and, for Microsoft products,
 * the KB that fixes them. It is the one truth every TVM view derives from
 * (mde-api.md §5.11–§5.17): a machine's vulnerabilities are the CVEs of the
 * versions installed on it.
 *
 * The product list and the texts are the project's own. CVE numbers, scores
 * and dates are generated from a fixed seed, so the catalogue is identical in
 * every emulator and across runs. A CVE is fixed in a later version of its
 * product: every version older than `fixedIn` is exposed.
 */

const DAY = 86_400_000;

export interface CatalogProduct {
  /** `vendor-_-name` (mde-api.md §3.7). */
  id: string;
  vendor: string;
  name: string;
  /** Display name for recommendation texts ("Update Google Chrome to version …"). */
  displayName: string;
  /** Versions oldest first; the last one is current and has no known CVE. */
  versions: readonly string[];
  /** OS families it is installed on and the share of machines that have it. */
  installs: Partial<Record<OsFamily, number>>;
  /** The operating system product for these `osPlatform` values (installed on every such machine). */
  osPlatforms?: readonly string[];
  recommendationCategory: "Application" | "OS";
  /** Disk path of the main binary on Windows (export rows' `diskPaths`). */
  path: string;
}

export interface CatalogCve {
  id: string;
  productId: string;
  description: string;
  severity: "Low" | "Medium" | "High" | "Critical";
  cvssV3: number;
  cvssVector: string;
  publishedOn: string;
  updatedOn: string;
  publicExploit: boolean;
  exploitVerified: boolean;
  exploitInKit: boolean;
  exploitTypes: string[];
  epss: number;
  /** Index in the product's versions of the first fixed version. */
  fixedIn: number;
  /** KB number of the fix (Microsoft products only). */
  fixingKb: string | null;
}

export interface CatalogKb {
  id: string;
  name: string;
  productId: string;
  /** Version index the KB brings a machine to. */
  version: number;
}

const P = (
  vendor: string,
  name: string,
  displayName: string,
  versions: string[],
  installs: CatalogProduct["installs"],
  path: string,
  extra: Partial<Pick<CatalogProduct, "osPlatforms" | "recommendationCategory">> = {},
): CatalogProduct => ({
  id: `${vendor}-_-${name}`,
  vendor,
  name,
  displayName,
  versions,
  installs,
  path,
  recommendationCategory: extra.recommendationCategory ?? "Application",
  ...(extra.osPlatforms ? { osPlatforms: extra.osPlatforms } : {}),
});

const OS = { recommendationCategory: "OS" as const };

export const PRODUCTS: readonly CatalogProduct[] = [
  P("microsoft", "windows_10", "Windows 10", ["10.0.19045.4529", "10.0.19045.4780", "10.0.19045.5011", "10.0.19045.5247"], {}, "C:\\Windows\\System32\\ntoskrnl.exe", { ...OS, osPlatforms: ["Windows10"] }),
  P("microsoft", "windows_11", "Windows 11", ["10.0.22631.3737", "10.0.22631.4037", "10.0.22631.4317", "10.0.22631.4602"], {}, "C:\\Windows\\System32\\ntoskrnl.exe", { ...OS, osPlatforms: ["Windows11"] }),
  P("microsoft", "windows_server_2019", "Windows Server 2019", ["10.0.17763.5936", "10.0.17763.6189", "10.0.17763.6414", "10.0.17763.6659"], {}, "C:\\Windows\\System32\\ntoskrnl.exe", { ...OS, osPlatforms: ["WindowsServer2019"] }),
  P("microsoft", "windows_server_2022", "Windows Server 2022", ["10.0.20348.2527", "10.0.20348.2655", "10.0.20348.2762", "10.0.20348.2966"], {}, "C:\\Windows\\System32\\ntoskrnl.exe", { ...OS, osPlatforms: ["WindowsServer2022"] }),
  P("apple", "macos", "macOS", ["14.5", "14.6.1", "15.1", "15.2"], {}, "/System/Library/CoreServices/SystemVersion.plist", { ...OS, osPlatforms: ["macOS"] }),
  P("canonical", "ubuntu_linux", "Ubuntu Linux", ["22.04.3", "22.04.4", "22.04.5"], {}, "/etc/os-release", { ...OS, osPlatforms: ["Linux"] }),
  P("microsoft", "edge_chromium-based", "Microsoft Edge Chromium-based", ["126.0.2592.87", "127.0.2651.74", "129.0.2792.89", "131.0.2903.70"], { windows: 1, macos: 0.2 }, "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"),
  P("microsoft", "office", "Microsoft 365 Apps", ["16.0.17628.20144", "16.0.17928.20156", "16.0.18129.20158"], { windows: 0.75, macos: 0.4 }, "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"),
  P("microsoft", ".net_framework", ".NET Framework", ["4.8.04161", "4.8.09032", "4.8.1"], { windows: 0.9 }, "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll"),
  P("google", "chrome", "Google Chrome", ["125.0.6422.142", "127.0.6533.100", "129.0.6668.90", "131.0.6778.140"], { windows: 0.6, macos: 0.7, linux: 0.05 }, "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"),
  P("mozilla", "firefox", "Mozilla Firefox", ["126.0.1", "128.0.3", "131.0.2", "133.0.3"], { windows: 0.25, macos: 0.3, linux: 0.1 }, "C:\\Program Files\\Mozilla Firefox\\firefox.exe"),
  P("7-zip", "7-zip", "7-Zip", ["23.01", "24.07", "24.09"], { windows: 0.4 }, "C:\\Program Files\\7-Zip\\7z.exe"),
  P("oracle", "jre", "Oracle Java Runtime Environment", ["8.0.401", "8.0.421", "8.0.431"], { windows: 0.2, linux: 0.3 }, "C:\\Program Files\\Java\\jre1.8.0\\bin\\java.exe"),
  P("zoom", "zoom", "Zoom Workplace", ["5.17.11", "6.1.6", "6.2.10", "6.3.0"], { windows: 0.3, macos: 0.5 }, "C:\\Program Files\\Zoom\\bin\\Zoom.exe"),
  P("git-scm", "git", "Git", ["2.44.0", "2.45.1", "2.47.1"], { windows: 0.15, macos: 0.35, linux: 0.6 }, "C:\\Program Files\\Git\\cmd\\git.exe"),
  P("notepad-plus-plus", "notepad++", "Notepad++", ["8.6.2", "8.6.9", "8.7.4"], { windows: 0.2 }, "C:\\Program Files\\Notepad++\\notepad++.exe"),
  P("openssl", "openssl", "OpenSSL", ["3.0.2", "3.0.13", "3.0.15"], { linux: 1 }, "/usr/lib/x86_64-linux-gnu/libssl.so.3"),
  P("openbsd", "openssh", "OpenSSH", ["8.9p1", "9.6p1", "9.8p1"], { linux: 1, macos: 1 }, "/usr/sbin/sshd"),
  P("sudo_project", "sudo", "sudo", ["1.9.9", "1.9.15", "1.9.16"], { linux: 1 }, "/usr/bin/sudo"),
  P("haxx", "curl", "curl", ["7.81.0", "8.5.0", "8.11.1"], { linux: 0.9, macos: 1 }, "/usr/bin/curl"),
];

const PRODUCT_BY_ID = new Map(PRODUCTS.map((p) => [p.id, p]));
export const productById = (id: string): CatalogProduct | undefined => PRODUCT_BY_ID.get(id.toLowerCase());

/** The OS product installed on every machine of an `osPlatform`. */
export function osProductFor(osPlatform: string): CatalogProduct | undefined {
  return PRODUCTS.find((p) => p.osPlatforms?.includes(osPlatform));
}

const FLAWS: ReadonlyArray<readonly [string, string, string[]]> = [
  ["remote code execution", "run arbitrary code in the context of the current user after the user opens crafted content", []],
  ["elevation of privilege", "gain SYSTEM or root privileges from a local, low-privileged account", ["Local privilege escalation", "Local"]],
  ["information disclosure", "read memory or files the process should not expose", []],
  ["denial of service", "make the program stop responding or crash", ["Denial of service"]],
  ["security feature bypass", "bypass a sandbox or a signature check", []],
  ["spoofing", "make content appear to come from a trusted origin", []],
  ["use-after-free", "corrupt the heap and possibly run code through a crafted page or file", []],
];

const SEVERITY_RANGES: ReadonlyArray<readonly [CatalogCve["severity"], number, number, number]> = [
  ["Low", 2.0, 3.9, 1],
  ["Medium", 4.0, 6.9, 4],
  ["High", 7.0, 8.9, 4],
  ["Critical", 9.0, 10.0, 1],
];

/** Fixed instant the catalogue's dates are anchored to (so they do not move with the clock). */
const CATALOG_EPOCH = Date.UTC(2024, 11, 10);

function buildCatalog(): { cves: CatalogCve[]; kbs: CatalogKb[] } {
  const random = createRandom("mde-partner/tvm-catalog");
  const cves: CatalogCve[] = [];
  const kbs: CatalogKb[] = [];
  const used = new Set<string>();
  let kbNumber = 5_039_211;
  for (const product of PRODUCTS) {
    const microsoft = product.vendor === "microsoft";
    for (let fixedIn = 1; fixedIn < product.versions.length; fixedIn++) {
      const releasedMs = CATALOG_EPOCH - (product.versions.length - fixedIn) * 60 * DAY;
      const fixingKb = microsoft ? String((kbNumber += random.int(3, 90))) : null;
      if (fixingKb) {
        const month = new Date(releasedMs).toLocaleString("en-US", { month: "long", timeZone: "UTC" });
        kbs.push({ id: fixingKb, name: `${month} ${new Date(releasedMs).getUTCFullYear()} Security Updates`, productId: product.id, version: fixedIn });
      }
      const count = random.int(2, product.recommendationCategory === "OS" ? 7 : 4);
      for (let i = 0; i < count; i++) {
        let id = "";
        do id = `CVE-${new Date(releasedMs).getUTCFullYear()}-${random.int(20_000, 52_999)}`;
        while (used.has(id));
        used.add(id);
        const [severity, low, high] = random.weighted(SEVERITY_RANGES.map((r) => [r, r[3]] as const));
        const cvssV3 = Math.round((low + random.next() * (high - low)) * 10) / 10;
        const [flaw, effect, exploitTypes] = random.pick(FLAWS);
        const publicExploit = random.bool(severity === "Critical" ? 0.6 : 0.2);
        const publishedMs = releasedMs - random.int(0, 20) * DAY;
        const av = flaw === "elevation of privilege" ? "L" : "N";
        cves.push({
          id,
          productId: product.id,
          description: `A ${flaw} vulnerability in ${product.displayName} before ${product.versions[fixedIn]} lets an attacker ${effect}. Update to ${product.versions[fixedIn]} or later.`,
          severity,
          cvssV3,
          cvssVector: `CVSS:3.1/AV:${av}/AC:${random.pick(["L", "H"])}/PR:${av === "L" ? "L" : "N"}/UI:${random.pick(["N", "R"])}/S:U/C:H/I:${random.pick(["H", "L"])}/A:H`,
          publishedOn: new Date(publishedMs).toISOString().replace(".000Z", "Z"),
          updatedOn: new Date(publishedMs + random.int(1, 30) * DAY).toISOString().replace(".000Z", "Z"),
          publicExploit,
          exploitVerified: publicExploit && random.bool(0.5),
          exploitInKit: publicExploit && random.bool(0.2),
          exploitTypes: publicExploit ? exploitTypes : [],
          epss: Math.round(random.next() ** 3 * 1000) / 1000,
          fixedIn,
          fixingKb,
        });
      }
    }
  }
  return { cves, kbs };
}

const BUILT = buildCatalog();
export const CVES: readonly CatalogCve[] = BUILT.cves;
export const KBS: readonly CatalogKb[] = BUILT.kbs;
const CVE_BY_ID = new Map(CVES.map((c) => [c.id, c]));
export const cveById = (id: string): CatalogCve | undefined => CVE_BY_ID.get(id.toUpperCase());

/** CVEs a version of a product carries: those fixed in a later version. */
export function cvesOf(product: CatalogProduct, version: string): CatalogCve[] {
  const index = product.versions.indexOf(version);
  return CVES.filter((c) => c.productId === product.id && index >= 0 && index < c.fixedIn);
}

/** A security configuration the secure-score views assess (`sca-_-scid-NNNN` recommendations). */
export interface CatalogConfiguration {
  scid: string;
  name: string;
  category: "Accounts" | "Application" | "Network" | "OS" | "Security controls";
  subCategory: string;
  impact: number;
  families: readonly OsFamily[];
  /** Share of machines that comply. */
  compliance: number;
  relatedComponent: string;
}

export const CONFIGURATIONS: readonly CatalogConfiguration[] = [
  { scid: "scid-2010", name: "Turn on Microsoft Defender Antivirus PUA protection in block mode", category: "Security controls", subCategory: "Antivirus", impact: 8, families: ["windows"], compliance: 0.6, relatedComponent: "Microsoft Defender Antivirus" },
  { scid: "scid-10000", name: "Disable insecure administration protocol - Telnet", category: "Network", subCategory: "", impact: 5, families: ["windows"], compliance: 0.9, relatedComponent: "Network" },
  { scid: "scid-20000", name: "Onboard devices to Microsoft Defender for Endpoint", category: "Security controls", subCategory: "Onboard Devices", impact: 9, families: ["windows", "macos", "linux"], compliance: 0.97, relatedComponent: "Microsoft Defender for Endpoint" },
  { scid: "scid-91", name: "Enable 'Local Security Authority (LSA) protection'", category: "OS", subCategory: "Credential protection", impact: 7, families: ["windows"], compliance: 0.45, relatedComponent: "Windows" },
  { scid: "scid-39", name: "Set 'Minimum password length' to '14 or more characters'", category: "Accounts", subCategory: "Password policy", impact: 4, families: ["windows"], compliance: 0.5, relatedComponent: "Accounts" },
  { scid: "scid-6095", name: "Disable SSH root login", category: "OS", subCategory: "SSH", impact: 6, families: ["linux"], compliance: 0.55, relatedComponent: "OpenSSH" },
  { scid: "scid-5001", name: "Turn on the macOS firewall", category: "Network", subCategory: "Firewall", impact: 5, families: ["macos"], compliance: 0.7, relatedComponent: "macOS" },
];

export const configurationById = (scid: string): CatalogConfiguration | undefined => CONFIGURATIONS.find((c) => c.scid === scid.toLowerCase());
