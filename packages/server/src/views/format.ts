import { clip } from "./clip.js";

/** `2025-01-02 13:45 UTC` from an ISO time (the console shows UTC everywhere: tenants span time zones). */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const ms = Date.parse(iso);
  // Times come from tenants too: an unparsable one is shown, but short.
  if (Number.isNaN(ms)) return clip(iso, 40);
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "3 min ago" style age for sync lag. */
export function age(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

export const qs = (params: Record<string, string | readonly string[] | undefined>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of typeof v === "string" ? [v] : v) if (one !== "") u.append(k, one);
  }
  const s = u.toString();
  return s ? `?${s}` : "";
};
