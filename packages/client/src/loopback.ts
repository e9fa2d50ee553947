/** 127.0.0.0/8 as a dotted quad (the WHATWG URL parser has already normalised other spellings). */
const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * True when `host` is `localhost` or a loopback address (127.0.0.0/8, `::1`,
 * `[::1]`): the hosts that may be spoken to over plain http (consent redirect
 * URIs, the console's `--http`, local webhook receivers). One rule for the
 * whole product.
 *
 * @example isLoopbackHost("127.0.0.1") // true
 * @example isLoopbackHost("partner.example") // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "[::1]" || h === "::1") return true;
  const quad = IPV4_LOOPBACK.exec(h);
  return quad !== null && quad.slice(1).every((part) => Number(part) <= 255);
}
