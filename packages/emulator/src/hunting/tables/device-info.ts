import type { Value } from "../kql/values.js";
import { TICKS_PER_DAY } from "../kql/values.js";
import { CLIENT_VERSIONS } from "./catalog.js";
import { activeWindow, type BuildContext } from "./context.js";
import type { SourceMachine } from "./source.js";

/** At most this many DeviceInfo reports per device (the real table has one per hour; we keep a daily-ish sample). */
const MAX_REPORTS_PER_DEVICE = 12;

function osVersion(m: SourceMachine): string {
  if (m.family !== "windows") return m.version;
  return "10.0";
}

function distribution(m: SourceMachine): string {
  if (m.family !== "linux") return "";
  const host = m.dnsName.toLowerCase();
  return host.startsWith("rhel") ? "RedHat" : host.startsWith("debian") ? "Debian" : "Ubuntu";
}

/**
 * DeviceInfo (defender-xdr/advanced-hunting-deviceinfo-table.md): periodic
 * reports of each device's state, taken from its Machine entity, from the
 * device's first report in the window up to its `lastSeen`.
 */
export function buildDeviceInfo(ctx: BuildContext): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  for (const m of ctx.source.machines) {
    const window = activeWindow(ctx, m);
    if (!window) continue;
    const random = ctx.random.fork(`deviceinfo/${m.id}`);
    const users = ctx.usersByMachine.get(m.id) ?? [];
    const loggedOn = JSON.stringify(users.slice(0, 2).map((u) => ({ UserName: u.name, DomainName: u.domain, Sid: u.sid })));
    const clientVersion = random.pick(CLIENT_VERSIONS[m.family]);
    // Reports walk back from lastSeen one to three days apart.
    const times: bigint[] = [];
    let t = window.to;
    while (t >= window.from && times.length < MAX_REPORTS_PER_DEVICE) {
      times.push(t);
      t -= TICKS_PER_DAY + BigInt(random.int(0, 2 * 86_400)) * 10_000_000n;
    }
    let reportId = random.int(1_000, 90_000);
    for (const at of times.reverse()) {
      out.push({
        Timestamp: at,
        DeviceId: m.id,
        DeviceName: m.dnsName,
        ClientVersion: clientVersion,
        PublicIP: m.publicIp,
        OSArchitecture: m.osArchitecture,
        OSPlatform: m.osPlatform,
        OSBuild: m.osBuild,
        IsAzureADJoined: m.aadJoined,
        JoinType: m.aadJoined ? (m.server ? "Hybrid Azure AD Join" : "AAD Joined") : m.family === "windows" ? "Domain Joined" : "",
        AadDeviceId: m.aadDeviceId,
        LoggedOnUsers: m.family === "windows" ? loggedOn : "[]",
        OSVersion: osVersion(m),
        MachineGroup: m.group,
        ReportId: reportId++,
        // The Machine entity spells it `onboarded`/`Onboarded`; DeviceInfo prints `Onboarded`.
        OnboardingStatus: m.onboardingStatus.charAt(0).toUpperCase() + m.onboardingStatus.slice(1),
        AdditionalFields: "",
        DeviceCategory: "Endpoint",
        DeviceType: m.server ? "Server" : "Workstation",
        OSDistribution: distribution(m),
        OSVersionInfo: m.family === "windows" ? m.version : "",
        IsInternetFacing: false,
        SensorHealthState: m.healthStatus,
        IsExcluded: false,
        ExposureLevel: m.exposureLevel,
        AssetValue: m.deviceValue,
        DeviceManualTags: JSON.stringify(m.tags),
        DeviceDynamicTags: "[]",
        ConnectivityType: "Streamlined",
      });
    }
  }
  return out;
}
