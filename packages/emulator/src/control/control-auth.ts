import { createHash, timingSafeEqual } from "node:crypto";
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Shortest control token accepted: a guessable token would protect nothing. */
export const MIN_CONTROL_TOKEN_LENGTH = 16;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/**
 * Is `host` a loopback name or address (`localhost`, 127.0.0.0/8, `::1`, an
 * IPv4-mapped 127.x)? `0.0.0.0` and `::` are not: they listen on every interface.
 *
 * @example
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("0.0.0.0");   // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIPv4(h)) return LOOPBACK.check(h, "ipv4");
  return isIPv6(h) && LOOPBACK.check(h, "ipv6");
}

/** The host name of a `Host` header value (`127.0.0.1:8443`, `[::1]:8443`, `localhost`). */
function hostOf(header: string): string {
  const h = header.trim();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon > 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Decides whether a control request may proceed.
 * - With a control token: only `Authorization: Bearer <token>` (compared in
 *   constant time, over SHA-256 digests so the length leaks nothing either).
 * - Without one (the emulator then listens on loopback only): only requests
 *   whose `Host` is a loopback name, so a web page that rebinds its own DNS name
 *   to 127.0.0.1 cannot read the control API (and the partner app's secret).
 */
export function authorizeControl(
  token: string | undefined,
  headers: { authorization: string | undefined; host: string | undefined },
): { ok: true } | { ok: false; status: 401 | 403; message: string } {
  if (token !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? "");
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token))) return { ok: true };
    return { ok: false, status: 401, message: "the control API needs Authorization: Bearer <control token>" };
  }
  if (headers.host !== undefined && !isLoopbackHost(hostOf(headers.host))) {
    return { ok: false, status: 403, message: `the control API answers only loopback host names without a control token, not '${headers.host}'` };
  }
  return { ok: true };
}
