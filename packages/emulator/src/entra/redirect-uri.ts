/**
 * Whether a request's `redirect_uri` matches one registered on the app, the way
 * the Microsoft identity platform matches them (entra-docs reply-url.md,
 * "Localhost exceptions"): exactly, case included, except that for `localhost`
 * and `127.0.0.1` the port is ignored ("the port component … is ignored for the
 * purposes of matching a redirect URI"), so a native app or a test server on an
 * ephemeral port matches `http://localhost/callback`. The IPv6 loopback `[::1]`
 * gets no exception ("not currently supported").
 */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const target = parse(requested);
  if (!target || !isLoopback(target.hostname)) return false;
  return registered.some((uri) => {
    const reg = parse(uri);
    return (
      reg !== undefined &&
      reg.protocol === target.protocol &&
      reg.hostname === target.hostname &&
      reg.pathname === target.pathname &&
      reg.search === target.search
    );
  });
}

function parse(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "127.0.0.1";
}
