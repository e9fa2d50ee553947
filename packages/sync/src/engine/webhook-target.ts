/**
 * Where a webhook may send alerts. The body carries customer alerts, the
 * `x-api-key` and the HMAC signature, so the target is held to this:
 *
 * - https only; plain http only to a loopback host written as such
 *   (`127.0.0.1`, `[::1]`, `localhost`): a local receiver on this machine.
 * - Never an instance-metadata service (169.254.169.254, fd00:ec2::254,
 *   100.100.100.200, 168.63.129.16, 169.254.170.2, …), whatever the options
 *   say: no webhook needs one, and reaching one is the classic SSRF.
 * - Link-local (169.254.0.0/16, fe80::/10), private (10/8, 172.16/12,
 *   192.168/16, fc00::/7) and shared (100.64/10) addresses only with
 *   `allowPrivateTargets` — a receiver inside the partner's own network is a
 *   deliberate choice, not a default.
 * - A name that resolves to loopback is not a local receiver (it may be DNS
 *   rebinding): refused like a private address unless allowed.
 * - Unspecified, multicast, broadcast and reserved addresses never.
 *
 * The check runs on the address actually connected to: the name is resolved
 * at connect time by {@link guardedLookup}, each address checked, and the
 * socket connects to a checked address (a second resolution cannot swap it).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

/** What kind of address an IP is, for the webhook's target policy. */
export type AddressKind = "loopback" | "metadata" | "link-local" | "private" | "unspecified" | "multicast" | "reserved" | "public";

/** Options of the target policy. */
export interface WebhookTargetPolicy {
  /** Allow private, shared and link-local addresses (never metadata services). Default false. */
  readonly allowPrivateTargets?: boolean;
}

function list(entries: ReadonlyArray<[string, number, "ipv4" | "ipv6"]>): BlockList {
  const b = new BlockList();
  for (const [net, prefix, type] of entries) {
    if ((type === "ipv4" && prefix === 32) || (type === "ipv6" && prefix === 128)) b.addAddress(net, type);
    else b.addSubnet(net, prefix, type);
  }
  return b;
}

// Cloud instance-metadata and host-agent endpoints (AWS, GCP, Azure, OCI, DigitalOcean,
// OpenStack: 169.254.169.254; AWS IPv6: fd00:ec2::254; AWS ECS task metadata: 169.254.170.2;
// Alibaba Cloud: 100.100.100.200; Azure WireServer: 168.63.129.16).
const METADATA = list([
  ["169.254.169.254", 32, "ipv4"],
  ["169.254.170.2", 32, "ipv4"],
  ["169.254.169.123", 32, "ipv4"],
  ["100.100.100.200", 32, "ipv4"],
  ["168.63.129.16", 32, "ipv4"],
  ["fd00:ec2::254", 128, "ipv6"],
  ["fd00:ec2::23", 128, "ipv6"],
]);
const LOOPBACK = list([
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"],
]);
const UNSPECIFIED = list([
  ["0.0.0.0", 8, "ipv4"],
  ["::", 128, "ipv6"],
]);
const LINK_LOCAL = list([
  ["169.254.0.0", 16, "ipv4"],
  ["fe80::", 10, "ipv6"],
]);
const PRIVATE = list([
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // shared address space (carrier-grade NAT), RFC 6598
  ["fc00::", 7, "ipv6"], // unique local addresses, RFC 4193
]);
const MULTICAST = list([
  ["224.0.0.0", 4, "ipv4"],
  ["ff00::", 8, "ipv6"],
]);
const RESERVED = list([
  ["240.0.0.0", 4, "ipv4"], // includes 255.255.255.255
  ["192.0.0.0", 24, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["2001:db8::", 32, "ipv6"],
  ["fec0::", 10, "ipv6"], // deprecated site-local
]);

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address. */
function embeddedIpv4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return undefined;
  const hi = Number.parseInt(hex[1]!, 16);
  const lo = Number.parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * Classifies a literal IP address (IPv4, or IPv6 without brackets). An
 * IPv4-mapped or NAT64 IPv6 address is classified by the IPv4 address it
 * carries. Throws `TypeError` for something that is not an IP address.
 *
 * @example classifyAddress("169.254.169.254") // "metadata"
 */
export function classifyAddress(ip: string): AddressKind {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 0) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  const v4 = family === 6 ? embeddedIpv4(bare) : bare;
  const [address, type] = v4 !== undefined ? [v4, "ipv4" as const] : [bare, "ipv6" as const];
  if (METADATA.check(address, type)) return "metadata";
  if (LOOPBACK.check(address, type)) return "loopback";
  if (UNSPECIFIED.check(address, type)) return "unspecified";
  if (LINK_LOCAL.check(address, type)) return "link-local";
  if (PRIVATE.check(address, type)) return "private";
  if (MULTICAST.check(address, type)) return "multicast";
  if (RESERVED.check(address, type)) return "reserved";
  return "public";
}

/** Error of a refused webhook target (a configuration problem: retrying does not help). */
export class WebhookTargetError extends Error {
  readonly code = "ERR_WEBHOOK_TARGET";
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetError";
  }
}

const isLoopbackName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/**
 * Why the address `ip` may not receive the webhook (undefined when it may).
 * `viaName` is true when the address came from resolving a name rather than
 * from the URL itself.
 */
export function refusedAddress(ip: string, viaName: boolean, policy: WebhookTargetPolicy = {}): string | undefined {
  const kind = classifyAddress(ip);
  const allowPrivate = policy.allowPrivateTargets === true;
  switch (kind) {
    case "public":
      return undefined;
    case "loopback":
      return viaName && !allowPrivate ? `a loopback address reached through a DNS name (${ip})` : undefined;
    case "private":
    case "link-local":
      return allowPrivate ? undefined : `a ${kind} address (${ip}); allow it explicitly (allowPrivateTargets / --allow-private) if the receiver is yours`;
    case "metadata":
      return `an instance metadata service (${ip})`;
    default:
      return `a ${kind} address (${ip})`;
  }
}

/**
 * Checks a webhook URL before anything is sent: http(s) only, https unless the
 * host is loopback (`127.0.0.1`, `[::1]`, `localhost`), no credentials in the
 * URL, and a literal IP host must pass {@link refusedAddress}. Names are
 * checked again when connecting ({@link guardedLookup}). Throws
 * {@link WebhookTargetError}.
 */
export function checkWebhookUrl(input: string | URL, policy: WebhookTargetPolicy = {}): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new WebhookTargetError("the webhook URL is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookTargetError(`the webhook URL must be https (got ${url.protocol})`);
  if (url.username || url.password) throw new WebhookTargetError("the webhook URL must not carry credentials: use --api-key-env or --secret-env");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const literal = isIP(host) !== 0;
  const loopback = literal ? classifyAddress(host) === "loopback" : isLoopbackName(host);
  if (url.protocol === "http:" && !loopback) {
    throw new WebhookTargetError(`the webhook URL must be https; plain http is only for a receiver on this machine (127.0.0.1, [::1], localhost), not ${url.host}`);
  }
  if (literal) {
    const why = refusedAddress(host, false, policy);
    if (why) throw new WebhookTargetError(`the webhook URL points at ${why}`);
  }
  return url;
}

/** A resolver: every address of a name (dns.lookup with `all: true` by default). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` / `http.request`: resolves the name, drops
 * every address {@link refusedAddress} refuses and hands the socket only the
 * checked ones, so the connection goes to an address that passed the policy.
 * `localhost` keeps its loopback addresses (it is the local receiver's name).
 */
export function guardedLookup(policy: WebhookTargetPolicy = {}, resolveAll: ResolveAll = systemResolveAll) {
  return (hostname: string, options: { all?: boolean; family?: number | string } | number, callback: LookupCallback): void => {
    const all = typeof options === "object" && options.all === true;
    resolveAll(hostname).then(
      (addresses) => {
        const local = isLoopbackName(hostname.toLowerCase());
        const reasons: string[] = [];
        const allowed = addresses.filter((a) => {
          const why = local && classifyAddress(a.address) === "loopback" ? undefined : refusedAddress(a.address, true, policy);
          if (why) reasons.push(why);
          return why === undefined;
        });
        const first = allowed[0];
        if (!first) {
          const error = new WebhookTargetError(
            `the webhook host ${hostname} resolves to ${reasons.length ? reasons.join(", ") : "no address"}: refused`,
          ) as WebhookTargetError & NodeJS.ErrnoException;
          callback(error, all ? [] : "", undefined);
          return;
        }
        if (all) callback(null, allowed);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, all ? [] : "", undefined),
    );
  };
}
