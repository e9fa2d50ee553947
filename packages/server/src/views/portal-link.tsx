/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Links that come from tenant data (`incidentWebUrl`, `alertWebUrl`): the one
 * place that decides whether such a URL becomes a live link. Only an `https`
 * URL on the cloud's Defender portal hosts (`CloudProfile.portalHosts`:
 * security.microsoft.com, security.microsoft.us for GCC High, security.apps.mil
 * for DoD; a custom cloud names its own) is a link; anything else —
 * `javascript:`, `data:`, another host, credentials or a port in the URL — is
 * shown as (bounded) text.
 */
import { clip } from "./clip.js";
import { text } from "./html.js";

/** Longest URL accepted as a portal link (real ones are about 120 characters). */
const MAX_URL = 2_048;

/** The normalized URL when `value` is an https link to one of `portalHosts`, else undefined. */
export function portalUrl(value: unknown, portalHosts: readonly string[]): string | undefined {
  if (typeof value !== "string" || value.length > MAX_URL) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.port !== "") return undefined;
  if (!portalHosts.includes(url.hostname.toLowerCase())) return undefined;
  return url.href;
}

/** A link labelled `label` to a portal URL, or the value as text when it is not one (an em dash when absent). */
export function PortalLink({ value, hosts, label }: { value: unknown; hosts: readonly string[]; label: string }) {
  if (typeof value !== "string" || value === "") return "—";
  const href = portalUrl(value, hosts);
  if (href) {
    return (
      <a href={text(href)} rel="noreferrer noopener" target="_blank" class="portal-link">
        {label}
      </a>
    );
  }
  return (
    <span class="untrusted-url" title="not a link to the Defender portal of this cloud">
      {text(clip(value))}
    </span>
  );
}
