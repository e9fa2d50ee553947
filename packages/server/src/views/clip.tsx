/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Bounds on what the console renders from tenant data. Everything a tenant's
 * API returns is attacker-controlled, and a 2 MB alert title on every row made
 * a 60 MB alerts page: the store keeps the full value, the pages show a bounded
 * one. List cells are cut short; detail views show more and link to the JSON
 * API, which has the whole value.
 */
import { text } from "./html.js";

/** Characters of one tenant-supplied value in a list cell. */
export const LIST_TEXT_MAX = 200;

/** Characters of one tenant-supplied value on a detail page (descriptions, command lines). */
export const DETAIL_TEXT_MAX = 8_000;

/**
 * `text` cut to at most `max` characters (code units) plus an ellipsis; a
 * surrogate pair is never split. `null`/`undefined` stay as they are.
 *
 * @example
 * clip("a".repeat(500), 200).length // 201
 */
export function clip<T extends string | null | undefined>(text: T, max: number = LIST_TEXT_MAX): T {
  if (typeof text !== "string" || text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…` as T;
}

/**
 * A detail-page value: the first {@link DETAIL_TEXT_MAX} characters, and when
 * there is more, how long it is and where to read it all (`fullHref`, the JSON
 * API's copy of the record).
 *
 * @example
 * <ClipDetail value={alert.description} full={`/api/v1/alerts/${tenantId}/${id}`} />
 */
export function ClipDetail({ value, full }: { value: string; full: string }) {
  if (value.length <= DETAIL_TEXT_MAX) return text(value);
  return (
    <>
      {text(clip(value, DETAIL_TEXT_MAX))}{" "}
      <small class="muted truncated">
        ({DETAIL_TEXT_MAX.toLocaleString("en-US")} of {value.length.toLocaleString("en-US")} characters shown; <a href={full}>the whole record as JSON</a>)
      </small>
    </>
  );
}

/** A titled paragraph of tenant text on a detail page (a description, a summary); nothing when there is no text. */
export function TextSection({ title, id, value, full }: { title: string; id?: string; value: string | null; full: string }) {
  if (!value) return null;
  return (
    <>
      <h2>{title}</h2>
      <p id={id}>
        <ClipDetail value={value} full={full} />
      </p>
    </>
  );
}
