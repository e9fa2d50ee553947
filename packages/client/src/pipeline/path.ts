/**
 * Building request paths without string concatenation (STYLE.md habit 6).
 *
 * `path` is a template tag: the literal parts are trusted, every interpolated value is one
 * path segment and is percent-encoded — `/`, spaces, quotes, `?`, `#`, `%` and the characters
 * `encodeURIComponent` leaves alone (`'()*!`) — so an ID can never add a segment, a query or
 * close an OData key literal. Empty, `.` and `..` segments are refused.
 *
 * @example
 * path`/api/machines/${machineId(id)}/isolate`
 * path`/api/users/${"contoso user"}/alerts` // → "/api/users/contoso%20user/alerts"
 */
export function path(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    out += encodeSegment(values[i]) + (strings[i + 1] ?? "");
  }
  return out;
}

/** Percent-encodes one path segment (see {@link path}). Throws `TypeError` for empty, `.` or `..`. */
export function encodeSegment(value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number") {
    throw new TypeError(`path segment must be a string or number, got ${describe(value)}`);
  }
  const text = String(value);
  if (text === "" || text === "." || text === "..") {
    throw new TypeError(`invalid path segment ${JSON.stringify(text)}`);
  }
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const MACHINE_ID = /^[0-9a-f]{40}$/i;
// A computer (DNS) name: labels of letters, digits, `-` and `_`, separated by dots (mde-api.md §3.7:
// `GET /api/machines/{id}` also takes the computer name). Also covers the 32-hex ids some doc pages show.
const COMPUTER_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const MD5 = /^[0-9a-f]{32}$/i;

/** Returns `id` when it is a 40-hex device id or a computer name; throws `TypeError` naming it otherwise. */
export function machineId(id: string): string {
  if (typeof id === "string" && (MACHINE_ID.test(id) || COMPUTER_NAME.test(id))) return id;
  throw new TypeError(`invalid machine id ${describe(id)}: expected 40 hex characters or a computer name`);
}

/** Returns `id` when it is a GUID (machine action, remediation task); throws `TypeError` naming it otherwise. */
export function guid(id: string, what = "id"): string {
  if (typeof id === "string" && GUID.test(id)) return id;
  throw new TypeError(`invalid ${what} ${describe(id)}: expected a GUID`);
}

/** Returns `id` when it is a machine action id (GUID; mde-api.md §3.7). */
export function actionId(id: string): string {
  return guid(id, "machine action id");
}

/** Returns `id` when it is a CVE id (`CVE-2019-0608`). */
export function cveId(id: string): string {
  if (typeof id === "string" && CVE_ID.test(id)) return id;
  throw new TypeError(`invalid CVE id ${describe(id)}: expected CVE-YYYY-NNNN`);
}

/** Returns `hash` when it is a SHA-1, SHA-256 or MD5 hex digest (files API; mde-api.md §5.7). */
export function fileHash(hash: string, allowed: ReadonlyArray<"sha1" | "sha256" | "md5"> = ["sha1", "sha256"]): string {
  if (typeof hash === "string") {
    if (allowed.includes("sha1") && SHA1.test(hash)) return hash;
    if (allowed.includes("sha256") && SHA256.test(hash)) return hash;
    if (allowed.includes("md5") && MD5.test(hash)) return hash;
  }
  throw new TypeError(`invalid file hash ${describe(hash)}: expected ${allowed.join(" or ").toUpperCase()} hex`);
}

/** Short, safe rendering of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null) return "null";
  return typeof value;
}
