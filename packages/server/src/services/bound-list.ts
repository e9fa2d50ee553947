/**
 * List responses of the JSON API bounded like the pages: each string field of
 * a list item longer than {@link LIST_FIELD_MAX} characters is cut (ending in
 * `…`) and named in the item's `truncated` array. A 2 MB title on every alert
 * would otherwise make one page of `/api/v1/alerts?limit=1000` gigabytes. The
 * detail routes (`/api/v1/alerts/{tenant}/{id}`, …) return every value whole.
 */
import { clip } from "../views/clip.js";

/** Characters of one string field of a list item. */
export const LIST_FIELD_MAX = 1_024;

/** `item` with long top-level string fields cut and listed in `truncated` (absent when nothing was cut). */
export function boundListItem<T extends object>(item: T): T & { truncated?: string[] } {
  const truncated: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === "string" && value.length > LIST_FIELD_MAX) {
      out[key] = clip(value, LIST_FIELD_MAX);
      truncated.push(key);
    } else out[key] = value;
  }
  return (truncated.length ? { ...out, truncated } : out) as T & { truncated?: string[] };
}
