/** A parsed `application/x-www-form-urlencoded` body with the first duplicated name, if any. */
export interface FormBody {
  params: Map<string, string>;
  /** Name of the first parameter that occurs more than once (Entra refuses those: AADSTS9000411). */
  duplicate?: string;
}

/**
 * Parses a token-request body. Entra reads only the form body (never JSON) and
 * refuses a parameter sent twice rather than picking one, so both are kept
 * visible here. Names compare case-sensitively, as OAuth parameter names do.
 */
export function parseFormBody(text: string): FormBody {
  const params = new Map<string, string>();
  let duplicate: string | undefined;
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) {
      duplicate ??= name;
      continue;
    }
    params.set(name, value);
  }
  return duplicate === undefined ? { params } : { params, duplicate };
}

/** Decodes `Authorization: Basic` client credentials (RFC 6749 §2.3.1: both parts form-url-encoded). */
export function parseBasicAuth(header: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}
