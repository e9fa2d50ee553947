import type { DialectName } from "./dialect.js";

/** Where a store lives, parsed from its URL. */
export type StoreLocation =
  | { readonly dialect: Extract<DialectName, "sqlite">; readonly path: string }
  | { readonly dialect: Extract<DialectName, "postgres">; readonly connectionString: string; readonly schema?: string };

/**
 * Parses a store URL: `postgres://…` / `postgresql://…` (an optional
 * `?schema=name` picks the schema), `sqlite:<path>`, `:memory:`, or a plain
 * file path. Malformed input is a caller mistake: `TypeError`.
 *
 * @example parseStoreUrl("sqlite:/home/me/.mde-partner/mde-partner.db")
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (typeof url !== "string" || url.trim() === "")
    throw new TypeError("store url is required (sqlite:<path>, a file path, :memory: or postgres://…)");
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError("store url is not a valid postgres:// URL");
    }
    const schema = parsed.searchParams.get("schema");
    parsed.searchParams.delete("schema");
    return schema
      ? { dialect: "postgres", connectionString: parsed.toString(), schema }
      : { dialect: "postgres", connectionString: parsed.toString() };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url) && !/^file:/i.test(url)) {
    throw new TypeError(`unsupported store url scheme in ${JSON.stringify(url.split("://")[0])}: use sqlite:<path> or postgres://`);
  }
  // sqlite:/abs/path, sqlite:///abs/path, sqlite:relative/path, sqlite::memory:
  const path = url.replace(/^(sqlite|file):(\/\/(?=\/))?/i, "");
  if (path === "") throw new TypeError("sqlite store url has no path");
  return { dialect: "sqlite", path };
}
